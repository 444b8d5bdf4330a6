from core.formatting import human_bytes, human_duration


def test_human_bytes():
    assert human_bytes(830) == "830 bytes"
    assert human_bytes(1536) == "1.5 KB"
    assert human_bytes(3 * 1024**3) == "3.0 GB"


def test_human_duration():
    assert human_duration(45.9) == "45 s"
    assert human_duration(185) == "3 min"
    assert human_duration(7500) == "2 h 05 min"
