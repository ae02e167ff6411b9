"""Printed documents: the 公文 format (GB/T 9704-2012), each tenant's document settings (发文机关、代字、主送、抄送),
the register of issued document numbers (发文登记, numbered per year without gaps), and the PDF preview."""
