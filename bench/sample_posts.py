# ruff: noqa: E501 - the vocabulary and sentence templates are prose, as long as they are
"""Plausible technical posts in Chinese and English, generated fast, for benchmarks and demos.

Like real writing, each post is about one topic: most of its terms come from that topic's
cluster of the vocabulary, the rest from the whole vocabulary with Zipf-like frequencies, so
a few words are everywhere and most are specific. Sentences are built once per topic from
templates, then each post draws from its topic's pool until it reaches its size: cheap enough
to make 100,000 posts in a couple of minutes.
"""

import random
from dataclasses import dataclass
from html import escape

ZH_TERMS = [
    "倒排索引",
    "梯度检查点",
    "混合精度",
    "权重衰减",
    "学习率",
    "自注意力",
    "多头注意力",
    "位置编码",
    "旋转位置编码",
    "扩散模型",
    "知识蒸馏",
    "量化",
    "剪枝",
    "负载均衡",
    "专家并行",
    "张量并行",
    "流水线并行",
    "数据并行",
    "向量检索",
    "召回率",
    "准确率",
    "分词",
    "词向量",
    "语言模型",
    "预训练",
    "微调",
    "强化学习",
    "奖励模型",
    "策略梯度",
    "损失函数",
    "交叉熵",
    "正则化",
    "过拟合",
    "批归一化",
    "层归一化",
    "残差连接",
    "激活函数",
    "卷积",
    "循环神经网络",
    "注意力机制",
    "显存",
    "吞吐量",
    "延迟",
    "缓存",
    "索引",
    "查询",
    "排序",
    "相关性",
    "倒排表",
    "跳表",
    "布隆过滤器",
    "哈希表",
    "红黑树",
    "协程",
    "事件循环",
    "装饰器",
    "生成器",
    "迭代器",
    "上下文管理器",
    "垃圾回收",
    "全局解释器锁",
    "多进程",
    "线程池",
    "数据库",
    "事务",
    "连接池",
    "消息队列",
    "分布式",
    "一致性",
    "副本",
    "分片",
    "压缩",
    "编码",
    "解码",
    "采样",
    "温度",
    "束搜索",
    "推理",
    "部署",
    "监控",
    "日志",
    "评测",
    "基准测试",
    "数据集",
    "标注",
    "清洗",
    "去重",
    "特征工程",
    "梯度下降",
    "反向传播",
    "优化器",
    "动量",
    "收敛",
    "泛化",
    "鲁棒性",
    "对比学习",
    "表示学习",
    "多模态",
    "图像生成",
    "文本生成",
    "长上下文",
    "检索增强生成",
    "重排序",
    "稀疏注意力",
    "线性注意力",
    "状态空间模型",
    "混合专家",
    "路由",
    "门控",
    "辅助损失",
    "词表",
    "子词",
    "字节对编码",
    "嵌入",
    "余弦相似度",
    "近似最近邻",
    "图索引",
    "乘积量化",
    "聚类",
    "全文检索",
    "搜索引擎",
    "查询改写",
    "拼写纠错",
    "同义词",
    "停用词",
    "中文分词",
    "用户词典",
    "新词发现",
    "梯度累积",
    "梯度裁剪",
    "学习率预热",
    "余弦退火",
    "早停",
    "数据增强",
    "标签平滑",
    "温度缩放",
    "模型并行",
    "检查点",
    "序列化",
    "反序列化",
    "类型注解",
    "单元测试",
    "性能分析",
    "内存泄漏",
    "并发",
    "异步",
    "锁",
    "死锁",
    "调度器",
    "任务队列",
    "幂等性",
    "重试",
    "限流",
    "熔断",
    "灰度发布",
    "回滚",
]
EN_TERMS = [
    "Transformer",
    "AdamW",
    "SGD",
    "LoRA",
    "QLoRA",
    "RLHF",
    "DPO",
    "PPO",
    "GRPO",
    "MoE",
    "MLA",
    "KV-cache",
    "FlashAttention",
    "RoPE",
    "ALiBi",
    "GQA",
    "BF16",
    "FP8",
    "INT4",
    "GPTQ",
    "AWQ",
    "vLLM",
    "PagedAttention",
    "Triton",
    "CUDA",
    "NCCL",
    "DeepSpeed",
    "ZeRO",
    "FSDP",
    "Megatron",
    "PyTorch",
    "JAX",
    "NumPy",
    "pandas",
    "Django",
    "Celery",
    "Redis",
    "PostgreSQL",
    "Elasticsearch",
    "Lucene",
    "BM25",
    "TF-IDF",
    "HNSW",
    "IVF",
    "Faiss",
    "Milvus",
    "ColBERT",
    "SPLADE",
    "embedding",
    "reranker",
    "tokenizer",
    "BPE",
    "SentencePiece",
    "jieba",
    "asyncio",
    "GIL",
    "dataclass",
    "mypy",
    "pytest",
    "Docker",
    "Kubernetes",
    "gRPC",
    "Kafka",
    "gradient",
    "optimizer",
    "scheduler",
    "warmup",
    "checkpoint",
    "throughput",
    "latency",
    "benchmark",
    "dataset",
    "inference",
    "quantization",
    "distillation",
    "attention",
    "diffusion",
    "sampling",
    "retrieval",
    "ranking",
    "recall",
    "precision",
    "index",
    "shard",
    "replica",
    "cache",
    "query",
    "qwen1.5",
    "qwen2.5-72b",
    "gpt-4o",
    "deepseek-r1",
    "deepseek-v3",
    "llama-3.1-8b",
    "mistral-7b",
    "bert-base",
    "t5-large",
    "x86_64",
    "C++",
    "node.js",
    "torch.compile",
    "GIN",
    "tsvector",
    "Gumbel-Softmax",
    "softmax",
    "logits",
    "perplexity",
    "BLEU",
    "ROUGE",
    "NDCG",
    "MRR",
]
ZH_SENTENCES = [
    "{a}和{b}之间的关系，决定了{c}的上限。",
    "在实践中，我们通常先用{a}处理数据，再引入{b}。",
    "如果{a}设置得不合适，{b}就会变得不稳定，需要配合{c}一起调整。",
    "本文用 {E} 实现了{a}，并对比了{b}的效果。",
    "{E} 的文档里提到，{a}可以显著降低{b}的开销。",
    "很多人把{a}和{b}混为一谈，其实两者解决的是不同的问题。",
    "实验表明，开启{a}之后，{b}下降了约{n}%。",
    "我们在 {n} 张 GPU 上训练，{a}带来的收益比{b}更明显。",
    "从{a}的角度看，{E} 和 {F} 各有取舍。",
    "{a}并不是银弹：在{b}场景下，它反而会拖慢{c}。",
    "为了复现论文中的结果，我们重新实现了{a}，并把{b}的超参数调到 {n}。",
    "线上环境里，{a}的瓶颈往往不在计算，而在{b}。",
    "对于中文文本，{a}之前必须先做{b}，否则{c}无从谈起。",
    "{E} 把{a}和{b}放在同一个框架里，这是它最大的优点。",
    "下面的表格总结了{a}、{b}与{c}在 {n} 个数据集上的表现。",
    "当{a}遇到{b}时，最常见的错误是忽略了{c}。",
    "这一节讨论{a}的实现细节，尤其是{b}和{E}的配合。",
    "如果只看{a}，{E} 似乎更好；但考虑到{b}，{F} 才是更稳妥的选择。",
]
EN_SENTENCES = [
    "In practice, {E} interacts with {F} in ways that are easy to miss.",
    "We benchmarked {E} against {F} on {n} thousand documents.",
    "The key insight is that {E} trades memory for compute, which matters for {G}.",
    "Most tutorials skip how {E} handles {F}, so this post starts there.",
    "With {E} enabled, {G} dropped by about {n} percent in our runs.",
    "A common mistake is to tune {E} before {F} is stable.",
    "The original paper describes {E} in two pages; getting {F} right took us two weeks.",
    "Here is a minimal example that combines {E} and {F} without any framework magic.",
    "{E} is not a silver bullet: for {G} it can make things slower.",
    "We measured {E} on {n} GPUs and compared it with {F}.",
    "The next section explains why {E} needs {F} to scale beyond a single machine.",
    "Readers asked how {E} relates to {F}; the short answer is {G}.",
]
ZH_TITLES = [
    "{a}与{b}：{c}实践",
    "深入理解{a}",
    "{E} 中的{a}",
    "从{a}到{b}",
    "{a}的 {n} 个误区",
    "用 {E} 实现{a}",
]
EN_TITLES = ["Understanding {E}", "{E} vs {F}", "A practical guide to {E} and {F}", "Notes on {E} in {F}"]
CODE_TEMPLATES = [
    "import torch\n\nmodel = build_model(config)\noptimizer = torch.optim.AdamW(model.parameters(), lr={n}e-4)\n"
    "for batch in loader:\n    loss = model(batch).loss\n    loss.backward()\n    optimizer.step()\n",
    "from django.db import models\n\nclass {Ident}(models.Model):\n    title = models.CharField(max_length={n})\n",
    "async def fetch_all(urls):\n    async with aiohttp.ClientSession() as session:\n"
    "        return await asyncio.gather(*(session.get(url) for url in urls))\n",
    "def {ident}(query, index):\n    postings = [index.get(term, []) for term in tokenize(query)]\n"
    "    return intersect_sorted(postings)[:{n}]\n",
]
IDENTIFIERS = ["InvertedIndex", "AttentionBlock", "RetryPolicy", "TokenBucket", "SearchDocument", "KVCache"]


@dataclass
class SamplePost:
    """One generated post: Markdown and the HTML it renders to, plus its labels."""

    title: str
    body: str
    body_html: str
    excerpt: str
    language: str
    tags: list


TOPIC_COUNT = 12
ON_TOPIC_SHARE = 0.75


class _Vocabulary:
    """Picks terms for one topic: mostly from its cluster, otherwise Zipf-weighted from all."""

    def __init__(self, rng, topic):
        self.rng = rng
        self.zh_topic = ZH_TERMS[topic::TOPIC_COUNT]
        self.en_topic = EN_TERMS[topic::TOPIC_COUNT]
        self.zh_weights = [1 / (rank + 1) for rank in range(len(ZH_TERMS))]
        self.en_weights = [1 / (rank + 1) for rank in range(len(EN_TERMS))]

    def zh(self):
        if self.rng.random() < ON_TOPIC_SHARE:
            return self.rng.choice(self.zh_topic)
        return self.rng.choices(ZH_TERMS, self.zh_weights)[0]

    def en(self):
        if self.rng.random() < ON_TOPIC_SHARE:
            return self.rng.choice(self.en_topic)
        return self.rng.choices(EN_TERMS, self.en_weights)[0]


def _fill(template, vocabulary):
    rng = vocabulary.rng
    return template.format(
        a=vocabulary.zh(),
        b=vocabulary.zh(),
        c=vocabulary.zh(),
        E=vocabulary.en(),
        F=vocabulary.en(),
        G=vocabulary.en(),
        n=rng.randint(2, 96),
        Ident=rng.choice(IDENTIFIERS),
        ident=rng.choice(IDENTIFIERS).lower(),
    )


class SamplePostFactory:
    """Makes posts of 1–8 KB from a pool of sentences built once per factory."""

    def __init__(self, seed=0, pool_size=2000):
        self.rng = random.Random(seed)
        rng = self.rng
        self.topics = []
        for topic in range(TOPIC_COUNT):
            vocabulary = _Vocabulary(rng, topic)
            zh_pool = [_fill(rng.choice(ZH_SENTENCES), vocabulary) for _ in range(pool_size)]
            en_pool = [_fill(rng.choice(EN_SENTENCES), vocabulary) for _ in range(pool_size // 2)]
            self.topics.append(
                (
                    vocabulary,
                    (zh_pool, [len(sentence.encode()) for sentence in zh_pool]),
                    (en_pool, [len(sentence.encode()) + 1 for sentence in en_pool]),
                )
            )
        self.tags = sorted(set(ZH_TERMS + EN_TERMS))

    def make(self):
        """Return a new SamplePost: 70% Chinese (with English terms), 30% English."""
        rng = self.rng
        chinese = rng.random() < 0.7
        vocabulary, zh, en = rng.choice(self.topics)
        pool, sizes = zh if chinese else en
        target = rng.randint(1024, 8192)
        paragraphs, paragraph, size = [], [], 0
        while size < target:
            index = rng.randrange(len(pool))
            paragraph.append(pool[index])
            size += sizes[index]
            if len(paragraph) >= rng.randint(3, 6):
                paragraphs.append(("" if chinese else " ").join(paragraph))
                paragraph = []
        if paragraph:
            paragraphs.append(("" if chinese else " ").join(paragraph))
        title = _fill(rng.choice(ZH_TITLES if chinese else EN_TITLES), vocabulary)
        markdown, html = [], []
        for number, text in enumerate(paragraphs):
            if number and number % 4 == 0:
                heading = vocabulary.zh() if chinese else vocabulary.en()
                markdown.append(f"## {heading}")
                html.append(f'<h2 id="h-{number}">{escape(heading)}</h2>')
            markdown.append(text)
            html.append(f"<p>{escape(text)}</p>")
        if rng.random() < 0.3:
            code = _fill(rng.choice(CODE_TEMPLATES), vocabulary)
            markdown.insert(len(markdown) // 2, f"```python\n{code}```")
            html.insert(len(html) // 2, f'<pre><code class="language-python">{escape(code)}</code></pre>')
        return SamplePost(
            title=title,
            body="\n\n".join(markdown),
            body_html="\n".join(html),
            excerpt=paragraphs[0][:150],
            language="zh" if chinese else "en",
            tags=sorted({vocabulary.zh() if chinese else vocabulary.en() for _ in range(rng.randint(1, 4))}),
        )
