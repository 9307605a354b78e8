"""The segmenter: what becomes a lexeme, for posts and queries alike."""

import pytest

from search.dictionary import DEFAULT_DICTIONARY, parse_dictionary
from search.tokenize import Segmenter, fold


@pytest.fixture(scope="module")
def segmenter():
    return Segmenter(parse_dictionary(DEFAULT_DICTIONARY.read_text(encoding="utf-8").splitlines()))


def lexemes(segmenter, text, *, primary_only=False):
    return [token.lexeme for token in segmenter.segment(text) if token.primary or not primary_only]


def test_search_mode_keeps_the_word_and_the_words_inside_it(segmenter):
    found = lexemes(segmenter, "倒排索引创建索引的流程")
    assert "倒排索引" in found
    assert {"倒排", "索引", "创建", "流程"} <= set(found)


def test_a_long_word_is_found_by_its_parts(segmenter):
    found = lexemes(segmenter, "打开梯度检查点")
    assert {"梯度检查点", "梯度", "检查点", "检查"} <= set(found)


def test_traditional_script_folds_to_simplified(segmenter):
    assert lexemes(segmenter, "梯度檢查點與權重衰減") == lexemes(segmenter, "梯度检查点与权重衰减")
    assert fold("機器學習") == "机器学习"


def test_folding_keeps_the_length_so_offsets_point_into_the_original():
    for text in ["ＧＰＴ－４ｏ 倒排索引……", "İstanbul ﬁle ①", "機器學習"]:
        assert len(fold(text)) == len(text)


def test_latin_is_lower_cased_and_full_width_forms_become_ascii(segmenter):
    assert lexemes(segmenter, "ＡｄａｍＷ Optimizer") == ["adamw", "optimizer"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qwen1.5 发布", "qwen1.5"),
        ("GPT-4o 的分词器", "gpt-4o"),
        ("DeepSeek-R1 的推理", "deepseek-r1"),
        ("C++ 和 C# 的区别", "c++"),
        ("x86_64 架构", "x86_64"),
        ("llama-3.1-8b 微调", "llama-3.1-8b"),
    ],
)
def test_model_and_version_names_stay_whole(segmenter, text, expected):
    assert expected in lexemes(segmenter, text, primary_only=True)


def test_compound_names_are_also_found_by_their_parts(segmenter):
    found = lexemes(segmenter, "DeepSeek-R1 and torch.nn.functional")
    assert {"deepseek", "r1", "torch", "nn", "functional"} <= set(found)
    # A dot between digits is a version, not a separator.
    assert "5" not in lexemes(segmenter, "Qwen1.5")


def test_stop_words_are_dropped_but_keep_their_place(segmenter):
    tokens = segmenter.segment("the index of the 倒排表的压缩")
    assert [token.lexeme for token in tokens if token.primary] == ["index", "倒排表", "压缩"]
    index, inverted, compression = (token for token in tokens if token.primary)
    assert inverted.position - index.position == 3  # "of the" are two atoms
    assert compression.position - inverted.position == 4  # 倒排表 is three characters, 的 one


def test_a_stop_word_inside_a_technical_term_does_not_break_it(segmenter):
    # 等 alone is a stop word; the shipped dictionary keeps 幂等 and 幂等性 whole.
    found = lexemes(segmenter, "接口的幂等性")
    assert "幂等性" in found and "幂等" in found


def test_domain_dictionary_keeps_words_whole():
    plain = Segmenter()
    assert "扩散模型" not in lexemes(plain, "扩散模型", primary_only=True)
    with_words = Segmenter([("扩散模型", None), ("自注意力", 2000)])
    assert lexemes(with_words, "基于扩散模型的自注意力", primary_only=True) == [
        "基于",
        "扩散模型",
        "自注意力",
    ]
    # The parts still match.
    assert {"扩散", "模型"} <= set(lexemes(with_words, "扩散模型"))


def test_single_characters_on_request(segmenter):
    found = [token.lexeme for token in segmenter.segment("红黑树", single_characters=True)]
    assert {"红黑树", "红", "黑", "树"} <= set(found)


def test_offsets_point_at_the_words_in_the_original_text(segmenter):
    text = "使用ＡｄａｍＷ優化器"
    for token in segmenter.segment(text):
        assert fold(text[token.start : token.end]) == token.lexeme


def test_dictionary_file_format():
    assert parse_dictionary(["# comment", "", "扩散模型 2000 n", "MoE", "自注意力  # note"]) == [
        ("扩散模型", 2000),
        ("MoE", None),
        ("自注意力", None),
    ]


@pytest.mark.parametrize("text", ["", "   ", "，。！？…", "\x00\x01", "🙂🙂", "'\"\\"])
def test_odd_input_gives_no_tokens_and_no_error(segmenter, text):
    assert lexemes(segmenter, text) == []


def test_a_versioned_name_is_also_found_by_its_name(segmenter):
    assert "qwen" in lexemes(segmenter, "Qwen1.5 发布")
    assert "llama" in lexemes(segmenter, "Llama3 微调")
