"""The public channel: reports from the public (举报) and public solicitations (公开征集)."""
