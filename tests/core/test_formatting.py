from core.formatting import human_bytes, human_duration


def test_human_bytes():
    assert human_bytes(830) == "830 bytes"
    assert human_bytes(1536) == "1.5 KB"
    assert human_bytes(3 * 1024**3) == "3.0 GB"


def test_human_duration():
    assert human_duration(45.9) == "45 s"
    assert human_duration(185) == "3 min"
    assert human_duration(7500) == "2 h 05 min"


def test_count_of_never_says_1_files():
    from core.formatting import count_of

    assert count_of(1, "photo") == "1 photo"
    assert count_of(0, "photo") == "0 photos"
    assert count_of(14, "photo") == "14 photos"
    assert count_of(2, "copy", "copies") == "2 copies"


def test_an_evidence_line_is_told_for_the_copy_against_the_keeper():
    from core.formatting import evidence_line
    from core.records import PairEvidence

    link = PairEvidence(
        "/p/beach.jpg", "/p/beach_bright.jpg", "geometry", 0.97, "brightened", "darkened"
    )
    assert evidence_line(link, "/p/beach.jpg") == "beach_bright.jpg against beach.jpg: brightened"
    assert (
        evidence_line(link, "/p/beach_bright.jpg") == "beach.jpg against beach_bright.jpg: darkened"
    )
