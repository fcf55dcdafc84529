"""Find short texts in PDF pages quickly, without a full content parser.

A PDF of many letters is split per letter where a page carries a letter's
reference. PyPDF2's ``extract_text`` tokenizes every drawing operator of a
page (0.1 s for a page of tables); here only the font selections and the
strings shown are read, with one regular expression over the content stream,
and decoded through the fonts' ``ToUnicode`` maps. Enough for texts written
in a system font by wkhtmltopdf (Qt), which shows glyphs with ``Tj``/``TJ``.
Plain Python: bytes in, text out.
"""

import re

_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_CONTENT = re.compile(
    rb"/([^\s/\[\]<>()]+)\s+-?[\d.]+\s+Tf"  # font selection
    rb"|<([0-9A-Fa-f\s]*)>\s*Tj"  # one hex string shown
    rb"|\[([^\]]*)\]\s*TJ"  # an array of strings shown
)
_CMAP_SECTION = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.DOTALL)


def _unicode(hex_bytes):
    hex_text = re.sub(rb"\s", b"", hex_bytes).decode()
    if len(hex_text) % 4:
        hex_text = hex_text.zfill(len(hex_text) + 4 - len(hex_text) % 4)
    data = bytes.fromhex(hex_text)
    return data.decode("utf-16-be", errors="replace")


def parse_to_unicode(cmap):
    """{character code: text} of a ToUnicode CMap (bytes): its ``bfchar``
    entries and its ``bfrange`` ranges, with a start value or an array."""
    mapping = {}
    for kind, body in _CMAP_SECTION.findall(cmap):
        if kind == b"bfchar":
            codes = _HEX.findall(body)
            for source, target in zip(codes[0::2], codes[1::2], strict=False):
                mapping[int(source, 16)] = _unicode(target)
            continue
        for line in re.finditer(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f\s]+>)", body
        ):
            first, last, target = int(line.group(1), 16), int(line.group(2), 16), line.group(3)
            if target.startswith(b"["):
                for code, value in zip(range(first, last + 1), _HEX.findall(target), strict=False):
                    mapping[code] = _unicode(value)
            else:
                start = _unicode(target[1:-1])
                for offset, code in enumerate(range(first, last + 1)):
                    mapping[code] = start[:-1] + chr(ord(start[-1]) + offset) if start else ""
    return mapping


def shown_text(content, maps, code_bytes=2):
    """The text shown by a page content stream (bytes), every string decoded
    with the map of the font selected before it (``maps``: {font resource
    name (str, without '/'): {code: text}}; codes of ``code_bytes`` bytes,
    2 for the Identity-H fonts wkhtmltopdf writes). Unknown codes are dropped;
    no spaces or line breaks are rebuilt."""
    chars, current = [], {}
    width = code_bytes * 2
    for font, single, array in _CONTENT.findall(content):
        if font:
            current = maps.get(font.decode(errors="replace"), {})
            continue
        for hex_bytes in [single] if single or not array else _HEX.findall(array):
            hex_text = re.sub(rb"\s", b"", hex_bytes).decode()
            for index in range(0, len(hex_text) - width + 1, width):
                chars.append(current.get(int(hex_text[index : index + width], 16), ""))
    return "".join(chars)


__all__ = ["parse_to_unicode", "shown_text"]
