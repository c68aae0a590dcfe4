"""French counts agree with their noun."""

from domain.formatting import count


def test_counts_agree_in_french():
    assert count(0, "jeune") == "0 jeune"
    assert count(1, "jeune") == "1 jeune"
    assert count(2, "jeune") == "2 jeunes"
    assert count(1234, "ligne") == "1\u202f234 lignes"
    assert count(1, "nouveau", "nouveaux") == "1 nouveau"
    assert count(3, "nouveau", "nouveaux") == "3 nouveaux"
