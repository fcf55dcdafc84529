from lib.pdf_text import parse_to_unicode, shown_text

CMAP = b"""/CIDInit /ProcSet findresource begin
begincmap
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
2 beginbfrange
<0000> <0000> <0000>
<0001> <0004> [<0043> <0046> <004C> <0020>]
endbfrange
1 beginbfrange
<0010> <0019> <0030>
endbfrange
1 beginbfchar
<0020> <00E3>
endbfchar
endcmap
"""


def test_cmap_ranges_arrays_and_chars():
    mapping = parse_to_unicode(CMAP)
    assert mapping[1] == "C" and mapping[2] == "F" and mapping[3] == "L" and mapping[4] == " "
    assert [mapping[code] for code in range(0x10, 0x1A)] == list("0123456789")
    assert mapping[0x20] == "ã"


def test_shown_text_follows_font_selection_and_tj_arrays():
    maps = {"F7": parse_to_unicode(CMAP), "F8": {1: "x"}}
    content = (
        b"BT\n/F7 16 Tf 1 0 0 -1 0 0 Tm\n41.5 -59 Td <0001> Tj\n10.9 0 Td <0002> Tj\n<0003> Tj\n"
        b"[<00100011> -20 <0012>] TJ\n0 0 1 rg 0 0 10 10 re f\n/F8 9 Tf <0001> Tj\n/F9 9 Tf <0001> Tj ET"
    )
    assert shown_text(content, maps) == "CFL012x"


def test_shown_text_without_text():
    assert shown_text(b"q 0 0 10 10 re f Q", {}) == ""
