"""The bigram measure on Chinese: paraphrases score high, unrelated complaints low, noise is ignored."""

from __future__ import annotations

from core.public.similarity import bigrams, similarity

ORIGINAL = "城关所登记窗口的工作人员态度很差，对来办事的群众大声呵斥。"
PARAPHRASES = (
    "在城关市场监管所办执照时，窗口工作人员对办事群众大声呵斥，服务态度恶劣。",
    "城关所窗口工作人员服务态度差，大声呵斥前来办事的群众",
)
UNRELATED = ("某商场停车场收费标准未公示，乱收停车费用。", "食品检验检测报告迟迟未出具，超过承诺时限。")


def test_paraphrases_are_alike_and_unrelated_texts_are_not():
    for text in PARAPHRASES:
        assert similarity(ORIGINAL, text) >= 0.3, text
    for text in UNRELATED:
        assert similarity(ORIGINAL, text) < 0.15, text
    assert min(similarity(ORIGINAL, p) for p in PARAPHRASES) > max(similarity(ORIGINAL, u) for u in UNRELATED)


def test_punctuation_spaces_and_full_width_forms_do_not_count():
    assert similarity("窗口 态度，差！", "窗口态度差") == 1.0
    assert similarity("ＡＢＣ１２３", "abc123") == 1.0
    assert bigrams("态度") == frozenset({"态度"})
    assert bigrams("，。") == frozenset()
    assert similarity("", ORIGINAL) == 0.0
