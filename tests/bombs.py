"""Hostile import files, made quickly: an XLSX zip bomb and a CSV of millions of rows.

The bomb is a real workbook whose sheet inflates to gigabytes. Compressing gigabytes would
take the test a minute, so the sheet's deflate stream is one compressed block of rows
repeated: after a full flush the compressor starts afresh, so the same input gives the same
bytes, and copies of them form a valid stream (only the CRC needs the whole data).
"""

import io
import struct
import zipfile
import zlib

ROW = b'<row><c t="inlineStr"><is><t>bomb@example.org</t></is></c></row>'


def _small_workbook() -> dict[str, bytes]:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["email", "unit_id", "name"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def xlsx_bomb(inflated: int = 2_800_000_000) -> bytes:
    """An .xlsx of a few MB whose first sheet inflates to about `inflated` bytes of XML."""
    chunk = ROW * (1_048_576 // len(ROW))
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    tail = b"</sheetData></worksheet>"
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.compress(tail) + compressor.flush(zlib.Z_FINISH)
    copies = max(1, (inflated - len(head) - len(tail)) // len(chunk))
    crc = zlib.crc32(head)
    for _ in range(copies):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + copies * len(chunk) + len(tail)
    sheet = (first, block, copies, last, crc, size)

    out = io.BytesIO()
    central = []
    for name, data in _small_workbook().items():
        if name == "xl/worksheets/sheet1.xml":
            first, block, copies, last, crc, size = sheet
            compressed = len(first) + copies * len(block) + len(last)
            parts = [first, *([block] * copies), last]
            method = zipfile.ZIP_DEFLATED
        else:
            crc, size, compressed, parts, method = (
                zlib.crc32(data),
                len(data),
                len(data),
                [data],
                zipfile.ZIP_STORED,
            )
        offset = out.tell()
        encoded = name.encode()
        out.write(
            struct.pack(
                "<4sHHHHHIIIHH",
                b"PK\x03\x04",
                20,
                0,
                method,
                0,
                0,
                crc,
                compressed,
                size,
                len(encoded),
                0,
            )
            + encoded
        )
        for part in parts:
            out.write(part)
        central.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0,
                method,
                0,
                0,
                crc,
                compressed,
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(
        struct.pack(
            "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), start, 0
        )
    )
    return out.getvalue()


def csv_rows(rows: int) -> bytes:
    """A people CSV of `rows` short rows (5 million fit in 50 MB)."""
    line = b"a@b.se,U,N\n"
    return b"email,unit_id,name\n" + line * rows
