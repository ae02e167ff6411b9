"""Server-rendered pages in Chinese (English available), on the same service functions as the API."""
