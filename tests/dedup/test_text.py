"""Vietnamese normalisation: one spelling per word, offsets into the original."""

from __future__ import annotations

import unicodedata

import pytest

from dedup.text import (
    fold_accents,
    normalize_vietnamese,
    normalize_with_offsets,
    sentences,
    syllables,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("old_style", "new_style"),
    [
        ("hòa", "hoà"),
        ("thúy", "thuý"),
        ("khỏe", "khoẻ"),
        ("Thủy lợi", "thuỷ lợi"),
        ("Cộng hòa", "cộng hoà"),
        ("ủy ban", "uỷ ban"),
        ("tòan", "toàn"),  # first-vowel mark in a closed syllable: a misspelling
    ],
)
def test_both_tone_mark_styles_normalise_to_one(old_style: str, new_style: str) -> None:
    assert normalize_vietnamese(old_style) == normalize_vietnamese(new_style)
    assert normalize_vietnamese(old_style) == new_style.lower()


@pytest.mark.parametrize("word", ["quý", "hoàng", "ngoài", "khuya", "huỳnh", "tuyến"])
def test_syllables_with_a_single_correct_spelling_are_left_alone(word: str) -> None:
    assert normalize_vietnamese(word) == word


def test_nfd_and_nfc_normalise_to_the_same_text() -> None:
    text = "Sáng kiến cải tiến quy trình hòa trộn nguyên liệu, khỏe hơn."
    assert unicodedata.is_normalized("NFD", nfd(text))
    assert nfd(text) != text
    assert normalize_vietnamese(nfd(text)) == normalize_vietnamese(text)


def test_normalisation_lowercases_and_keeps_punctuation() -> None:
    assert normalize_vietnamese("ĐỔI MỚI, Sáng Tạo!") == "đổi mới, sáng tạo!"


def test_normalisation_of_nfc_text_preserves_length() -> None:
    text = "Giải pháp hòa mạng THÚY KHỎE"
    assert len(normalize_vietnamese(text)) == len(text)
    _, starts, ends = normalize_with_offsets(text)
    assert starts is None and ends is None


def test_fold_accents_matches_unaccented_search() -> None:
    assert fold_accents("Sáng kiến cải tiến") == "sang kien cai tien"
    assert fold_accents("ĐOÀN VIÊN Công đoàn") == "doan vien cong doan"
    assert fold_accents(nfd("Thủy lợi hòa bình")) == "thuy loi hoa binh"
    assert "sang kien cai tien" in fold_accents("Hồ sơ Sáng kiến cải tiến kỹ thuật")


def test_fold_accents_leaves_other_characters() -> None:
    assert (
        fold_accents("Giá trị làm lợi: 1.500.000 ₫ (50%)") == "gia tri lam loi: 1.500.000 ₫ (50%)"
    )


def test_syllables_carry_offsets_into_the_original_text() -> None:
    text = "Sáng kiến: hòa  Bình, KHỎE."
    found = syllables(text)
    assert [s.text for s in found] == ["sáng", "kiến", "hoà", "bình", "khoẻ"]
    assert [text[s.start : s.end] for s in found] == ["Sáng", "kiến", "hòa", "Bình", "KHỎE"]


def test_syllable_offsets_survive_nfd_input() -> None:
    original = nfd("Tên sáng kiến: Cải tiến máy hòa trộn.")
    found = syllables(original)
    assert [s.text for s in found] == [
        "tên",
        "sáng",
        "kiến",
        "cải",
        "tiến",
        "máy",
        "hoà",
        "trộn",
    ]
    for syllable in found:
        piece = original[syllable.start : syllable.end]
        assert unicodedata.is_normalized("NFD", piece)
        assert normalize_vietnamese(piece) == syllable.text


def test_sentences_split_on_end_punctuation_and_line_breaks() -> None:
    text = "Câu thứ nhất. Câu thứ hai!\nMục ba; mục bốn\n\n  Cuối "
    assert sentences(text) == ["Câu thứ nhất.", "Câu thứ hai!", "Mục ba;", "mục bốn", "Cuối"]


def test_decimal_points_do_not_end_sentences() -> None:
    assert sentences("Tiết kiệm 1.500.000 đồng mỗi năm. Hết.") == [
        "Tiết kiệm 1.500.000 đồng mỗi năm.",
        "Hết.",
    ]
