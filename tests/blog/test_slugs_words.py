"""Slugs read words, not characters: a Chinese word's reading comes from the word, version dots
stay as hyphens, and C++ and C# are spelled. New posts, series and tags get these slugs; a slug
given under older rules never changes."""

import pytest

from blog.models import Post, Series, Tag
from blog.slugs import SlugSegmenter, pinyin_slug, technical_words
from tests.factories import make_post, make_series

# The examples of issue 21: what the character-by-character spelling got wrong.
ISSUE_EXAMPLES = [
    ("重排序模型的长上下文", "chong-pai-xu-mo-xing-de-chang-shang-xia-wen"),
    ("Qwen1.5", "qwen1-5"),
    ("C++ 与 C#", "cpp-yu-csharp"),
]

# Thirty common technical titles, each with the slug a reader should see.
TECHNICAL_TITLES = [
    ("大语言模型的量化感知训练", "da-yu-yan-mo-xing-de-liang-hua-gan-zhi-xun-lian"),
    ("Transformer 中的多头注意力", "transformer-zhong-de-duo-tou-zhu-yi-li"),
    ("用 Rust 重写 Python 扩展", "yong-rust-chong-xie-python-kuo-zhan"),
    ("Python 3.12 的垃圾回收", "python-3-12-de-la-ji-hui-shou"),
    ("长文本检索中的重排序", "chang-wen-ben-jian-suo-zhong-de-chong-pai-xu"),
    ("混合专家模型的负载均衡", "hun-he-zhuan-jia-mo-xing-de-fu-zai-jun-heng"),
    ("RoPE 旋转位置编码详解", "rope-xuan-zhuan-wei-zhi-bian-ma-xiang-jie"),
    ("向量数据库选型：Milvus 与 pgvector", "xiang-liang-shu-ju-ku-xuan-xing-milvus-yu-pgvector"),
    ("Llama 3.1 技术报告解读", "llama-3-1-ji-shu-bao-gao-jie-du"),
    ("GPT-4o 的多模态能力", "gpt-4o-de-duo-mo-tai-neng-li"),
    ("知识蒸馏与模型压缩", "zhi-shi-zheng-liu-yu-mo-xing-ya-suo"),
    ("梯度检查点与显存优化", "ti-du-jian-cha-dian-yu-xian-cun-you-hua"),
    ("PostgreSQL 全文检索与中文分词", "postgresql-quan-wen-jian-suo-yu-zhong-wen-fen-ci"),
    ("Go 语言的协程调度", "go-yu-yan-de-xie-cheng-diao-du"),
    ("Node.js 事件循环", "node-js-shi-jian-xun-huan"),
    ("C# 异步编程", "csharp-yi-bu-bian-cheng"),
    ("用 C++ 实现红黑树", "yong-cpp-shi-xian-hong-hei-shu"),
    ("强化学习：从 DQN 到 PPO", "qiang-hua-xue-xi-cong-dqn-dao-ppo"),
    ("FlashAttention-2 加速原理", "flashattention-2-jia-su-yuan-li"),
    ("K8s 中的长连接负载均衡", "k8s-zhong-de-chang-lian-jie-fu-zai-jun-heng"),
    ("召回率与准确率", "zhao-hui-lv-yu-zhun-que-lv"),
    ("数据并行与张量并行", "shu-ju-bing-xing-yu-zhang-liang-bing-xing"),
    ("Python 装饰器与上下文管理器", "python-zhuang-shi-qi-yu-shang-xia-wen-guan-li-qi"),
    ("推荐系统中的调参经验", "tui-jian-xi-tong-zhong-de-tiao-can-jing-yan"),
    ("长短期记忆网络 LSTM", "chang-duan-qi-ji-yi-wang-luo-lstm"),
    ("重参数化技巧", "chong-can-shu-hua-ji-qiao"),
    ("降采样与上采样", "jiang-cai-yang-yu-shang-cai-yang"),
    ("行存储与列存储", "hang-cun-chu-yu-lie-cun-chu"),
    ("ASP.NET Core 入门", "asp-net-core-ru-men"),
    ("F# 函数式编程", "fsharp-han-shu-shi-bian-cheng"),
]


@pytest.mark.parametrize(("title", "slug"), ISSUE_EXAMPLES + TECHNICAL_TITLES)
def test_slug_reads_the_title_word_by_word(title, slug):
    assert pinyin_slug(title) == slug


def test_there_are_thirty_technical_titles():
    assert len(TECHNICAL_TITLES) == 30
    assert len({title for title, _ in TECHNICAL_TITLES}) == 30


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("重要的重构", "zhong-yao-de-chong-gou"),  # one character, two readings, by word
        ("队长说的话", "dui-zhang-shuo-de-hua"),  # 长 inside a word keeps the word's reading
        ("Issue #42 与 C#", "issue-42-yu-csharp"),  # a "#" before a number is no language
        ("v2.0.1 发布", "v2-0-1-fa-bu"),
        ("结尾的句号。", "jie-wei-de-ju-hao"),  # a dot that ends text joins nothing
    ],
)
def test_readings_and_signs_follow_their_context(title, slug):
    assert pinyin_slug(title) == slug


def test_words_of_the_technical_dictionary_are_kept_whole(tmp_path):
    dictionary = tmp_path / "words.txt"
    dictionary.write_text("# a comment line\n稀疏路由器 500 n\n", encoding="utf-8")
    assert technical_words(dictionary) == ["稀疏路由器"]
    assert SlugSegmenter({}, technical_words(dictionary)).words("稀疏路由器") == ["稀疏路由器"]
    assert SlugSegmenter({}, []).words("稀疏路由器") != ["稀疏路由器"]


def test_a_missing_dictionary_file_leaves_jieba_alone(tmp_path):
    assert technical_words(tmp_path / "absent.txt") == []
    assert technical_words(None) == []


@pytest.mark.django_db
def test_new_posts_series_and_tags_get_the_new_slugs():
    series = make_series("重排序模型")
    post = make_post("Qwen1.5 长上下文", series=series, tags=["C++"])
    assert post.slug == "qwen1-5-chang-shang-xia-wen"
    assert series.slug == "chong-pai-xu-mo-xing"
    assert Tag.objects.get(name="C++").slug == "cpp"


@pytest.mark.django_db
def test_slugs_given_under_the_old_rules_never_change(client):
    post = make_post("Qwen1.5 微调", slug="qwen15-wei-diao")
    series = make_series("C++ 与 C#", slug="c-yu-c")
    old_tag = Tag.objects.create(name="重排序", slug="zhong-pai-xu")
    post.title = "Qwen1.5 微调（修订）"
    post.series = series
    post.save()
    post.tags.add(old_tag)
    series.save()
    post.refresh_from_db()
    series.refresh_from_db()
    assert post.slug == "qwen15-wei-diao"
    assert series.slug == "c-yu-c"
    assert Tag.objects.get(name="重排序").slug == "zhong-pai-xu"
    assert client.get("/posts/qwen15-wei-diao/").status_code == 200
    assert client.get("/series/c-yu-c/").status_code == 200
    assert client.get("/tags/zhong-pai-xu/").status_code == 200
    assert not Post.objects.filter(slug="qwen1-5-wei-diao").exists()
    assert not Series.objects.filter(slug="cpp-yu-csharp").exists()
