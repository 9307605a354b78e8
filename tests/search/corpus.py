# ruff: noqa: E501 - post bodies are prose paragraphs
"""A small blog of realistic posts (ML, search systems, Python; Chinese and English) and queries.

`POSTS` are keyed so that `QUERIES` can name the posts a reader expects at the top. Some
queries are in Traditional script, some mix Chinese and English, some are a single character,
some name a term that appears only in a tag.
"""

POSTS = [
    {
        "key": "adamw",
        "title": "AdamW 与权重衰减：为什么要解耦",
        "tags": ["优化器", "深度学习"],
        "days_ago": 40,
        "body": """Adam 把 L2 正则直接加进梯度里，结果权重衰减被自适应学习率缩放，大梯度的参数几乎不衰减。
AdamW 的做法是把 weight decay 从梯度更新中解耦出来，直接对参数乘以 (1 - lr * wd)。

在 PyTorch 里只要把 `torch.optim.Adam` 换成 `torch.optim.AdamW`：

```python
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)
```

经验上，预训练语言模型时权重衰减取 0.1，LayerNorm 和 bias 不做衰减。""",
    },
    {
        "key": "gradient-checkpointing",
        "title": "梯度检查点：用计算换显存",
        "tags": ["训练技巧", "显存优化"],
        "days_ago": 100,
        "body": """梯度检查点（gradient checkpointing）在前向传播时只保存少数层的激活值，反向传播时再重新计算其余激活。
这样显存占用从 O(n) 降到 O(√n)，代价是大约多一次前向计算。

在 Hugging Face Transformers 中调用 `model.gradient_checkpointing_enable()` 即可；
自己写的模块可以用 `torch.utils.checkpoint.checkpoint` 包裹。
训练 7B 模型时，打开梯度检查点后单卡 batch size 从 2 提到了 8。""",
    },
    {
        "key": "mixed-precision",
        "title": "混合精度训练与 loss scaling",
        "tags": ["训练技巧"],
        "days_ago": 300,
        "body": """混合精度训练用 FP16 或 BF16 做前向和反向，用 FP32 保存主权重。
FP16 的动态范围小，小梯度会下溢成零，所以需要 loss scaling：先把损失乘以一个大数，更新前再除回来。
BF16 指数位和 FP32 一样多，通常不需要 loss scaling，这也是大模型训练偏爱 BF16 的原因。""",
    },
    {
        "key": "deepseek-moe",
        "title": "DeepSeek-V3 的无辅助损失负载均衡",
        "tags": ["MoE", "DeepSeek"],
        "series": "DeepSeek 系列",
        "days_ago": 20,
        "body": """混合专家（MoE）模型要让 token 均匀地分给各个专家，传统做法是加一个辅助损失（auxiliary loss）。
辅助损失太大会伤害模型质量，太小又压不住路由坍塌。

DeepSeek-V3 提出无辅助损失的负载均衡：给每个专家的路由分数加一个偏置项，
某个专家过载就调低它的偏置，空闲就调高。偏置只影响选哪些专家，不影响门控权重，因此不会干扰梯度。""",
    },
    {
        "key": "deepseek-mla",
        "title": "MLA：多头潜在注意力如何压缩 KV Cache",
        "tags": ["DeepSeek", "注意力"],
        "series": "DeepSeek 系列",
        "days_ago": 25,
        "body": """MLA（Multi-head Latent Attention）把每个 token 的 key 和 value 先投影到一个低维潜在向量，
推理时只缓存这个潜在向量，KV Cache 因此比标准多头注意力小一个数量级。

和 GQA 相比，MLA 在压缩率相近的情况下效果更好。为了兼容旋转位置编码，
DeepSeek-V2 额外拼接了一小段不压缩的 RoPE 维度，这个设计叫解耦 RoPE。""",
    },
    {
        "key": "deepseek-r1",
        "title": "DeepSeek-R1：用 GRPO 做推理能力的强化学习",
        "tags": ["DeepSeek", "强化学习"],
        "series": "DeepSeek 系列",
        "days_ago": 10,
        "body": """DeepSeek-R1 在 V3 基座上用 GRPO（Group Relative Policy Optimization）做强化学习。
GRPO 不需要价值网络：对同一个问题采样一组回答，用组内奖励的均值和标准差做基线。

R1-Zero 完全不用监督微调，推理链在训练中自己变长，还出现了“顿悟时刻”。
正式的 R1 先用少量冷启动数据微调，再做多轮强化学习和拒绝采样。""",
    },
    {
        "key": "gumbel-softmax",
        "title": "Gumbel Softmax 与重参数化技巧",
        "tags": ["概率", "深度学习"],
        "days_ago": 700,
        "body": """离散采样不可导，Gumbel-Max 技巧把类别采样写成 argmax(log p + g)，其中 g 服从 Gumbel 分布。
Gumbel Softmax 再把 argmax 换成带温度的 softmax，温度趋近零时输出接近 one-hot。

straight-through 版本前向用 one-hot，反向用 softmax 的梯度，常用于离散隐变量和神经架构搜索。""",
    },
    {
        "key": "self-attention",
        "title": "自注意力机制从零实现",
        "tags": ["Transformer", "注意力"],
        "days_ago": 500,
        "body": """自注意力的核心是 softmax(QK^T / √d) V：每个位置用自己的 query 去匹配所有位置的 key。
除以 √d 是为了让点积的方差不随维度增大，避免 softmax 饱和。

多头注意力把模型维度切成多个头，各自计算注意力后再拼接。下面用 NumPy 写一个不到二十行的实现，
再和 PyTorch 的 `scaled_dot_product_attention` 对比结果。""",
    },
    {
        "key": "rope",
        "title": "旋转位置编码 RoPE 的推导",
        "tags": ["Transformer", "位置编码"],
        "days_ago": 450,
        "body": """RoPE 把位置信息写成复平面上的旋转：第 m 个位置的向量按角度 mθ 旋转。
两个向量旋转后做内积，结果只依赖相对位置 m - n，这就是相对位置编码的来源。

长上下文外推时，可以调整旋转的底数（NTK-aware scaling）或者插值位置（Position Interpolation），
Llama 和 Qwen 的长文本版本都用了这类方法。""",
    },
    {
        "key": "diffusion",
        "title": "扩散模型入门：DDPM 的前向与反向过程",
        "tags": ["生成模型"],
        "days_ago": 600,
        "body": """扩散模型的前向过程逐步给图像加高斯噪声，直到变成纯噪声；反向过程训练一个网络一步步去噪。
DDPM 的训练目标可以化简为预测每一步加入的噪声 ε，损失就是简单的均方误差。

采样需要上千步，DDIM 把过程改写成非马尔可夫的形式，用 50 步就能得到相近的质量。
Stable Diffusion 则在 VAE 的潜在空间里做扩散，计算量小得多。""",
    },
    {
        "key": "lora",
        "title": "LoRA 低秩适配：大模型微调实践",
        "tags": ["微调", "大模型"],
        "days_ago": 200,
        "body": """LoRA 冻结预训练权重 W，只训练低秩增量 BA，秩 r 通常取 8 到 64。
可训练参数不到原来的 1%，显存主要花在激活和优化器状态上。

QLoRA 进一步把基座量化成 4-bit NF4，单张 24GB 显卡就能微调 33B 模型。
合并权重时把 BA 加回 W，推理没有额外开销。""",
    },
    {
        "key": "qwen",
        "title": "Qwen1.5 与 Qwen2 的长上下文评测",
        "tags": ["Qwen", "评测"],
        "days_ago": 150,
        "body": """我们在 32K 长度的“大海捞针”测试上比较了 Qwen1.5-14B 和 Qwen2-7B。
Qwen2 用了 YaRN 和 Dual Chunk Attention，在 128K 长度下召回率仍然超过 90%。

Qwen1.5 在 32K 以内表现稳定，超过之后明显下降。测评脚本和原始数据放在文末。""",
    },
    {
        "key": "flash-attention",
        "title": "FlashAttention 为什么快：IO 感知的注意力",
        "tags": ["注意力", "GPU"],
        "days_ago": 400,
        "body": """标准注意力要把 N×N 的注意力矩阵写回显存，瓶颈在 HBM 读写而不是计算。
FlashAttention 把 Q、K、V 分块载入 SRAM，用在线 softmax 逐块累加，从不物化完整矩阵。

FlashAttention-2 调整了并行划分和循环顺序，A100 上达到理论峰值的 70% 左右。""",
    },
    {
        "key": "distillation",
        "title": "知识蒸馏：让小模型学会大模型的判断",
        "tags": ["模型压缩"],
        "days_ago": 800,
        "body": """知识蒸馏用教师模型的软标签训练学生模型，软标签里包含了类别之间的相似度信息。
温度 T 越高，分布越平滑，学生能学到的“暗知识”越多。

对大语言模型，常见做法是用教师生成的数据做监督微调，或者直接最小化两者输出分布的 KL 散度。""",
    },
    {
        "key": "quantization",
        "title": "大模型量化：GPTQ、AWQ 与 INT4 推理",
        "tags": ["量化", "推理"],
        "days_ago": 180,
        "body": """权重量化把 FP16 权重压到 INT4，显存减到四分之一，解码速度受益于更少的显存读取。
GPTQ 逐层求解最优量化，用二阶信息补偿误差；AWQ 观察到少数显著通道决定精度，先缩放再量化。

部署时 vLLM 和 TensorRT-LLM 都支持这两种格式。""",
    },
    {
        "key": "transformers-scratch",
        "title": "Transformers from scratch in PyTorch",
        "tags": ["Transformer", "PyTorch"],
        "days_ago": 350,
        "language": "en",
        "body": """This post builds a decoder-only transformer in about 200 lines of PyTorch:
token embeddings, causal self-attention, an MLP block, residual connections and layer normalization.

We train it on a small corpus of Python code and watch the loss curve. The final model is tiny,
but every part maps one to one onto what large language models do.""",
    },
    {
        "key": "warmup",
        "title": "Learning rate warmup and cosine schedules",
        "tags": ["optimization"],
        "days_ago": 380,
        "language": "en",
        "body": """Adaptive optimizers estimate second moments from very few samples at the start of training,
so large early steps can blow up. A linear warmup over the first few thousand steps avoids that.

After warmup, a cosine decay to about ten percent of the peak learning rate is a strong default.
We compare it with linear decay and with the warmup-stable-decay schedule.""",
    },
    {
        "key": "normalization",
        "title": "Batch normalization vs layer normalization",
        "tags": ["normalization"],
        "days_ago": 900,
        "language": "en",
        "body": """Batch normalization normalizes each feature over the batch; layer normalization normalizes
each example over its features. For sequence models with variable lengths and small batches,
layer normalization is the practical choice. RMSNorm drops the mean subtraction and is cheaper.""",
    },
    {
        "key": "speculative-decoding",
        "title": "Speculative decoding for faster LLM inference",
        "tags": ["inference", "LLM"],
        "days_ago": 90,
        "language": "en",
        "body": """A small draft model proposes several tokens; the large target model verifies them in one
forward pass and accepts the longest prefix that matches its own distribution.
The output distribution is provably unchanged, and decoding speeds up two to three times
when the draft model agrees often enough.""",
    },
    {
        "key": "gpt-4o",
        "title": "GPT-4o and multimodal tokenization",
        "tags": ["multimodal"],
        "days_ago": 130,
        "language": "en",
        "body": """GPT-4o handles text, audio and images in a single model. Its tokenizer o200k_base has a
larger vocabulary than cl100k_base, which makes Chinese text noticeably cheaper in tokens.
We count tokens for the same paragraph across GPT-4, GPT-4o and Qwen2.""",
    },
    {
        "key": "inverted-index",
        "title": "倒排索引的构建与压缩",
        "tags": ["搜索引擎", "倒排索引"],
        "days_ago": 60,
        "body": """倒排索引为每个词保存一个倒排表（posting list），记录包含它的文档编号和位置。
建索引时先分词，再按词排序合并，最后把倒排表写入磁盘。

文档编号递增，存差值（d-gap）再用可变字节编码或 PForDelta 压缩，能把索引缩小到原来的三分之一。
查询时对多个倒排表求交集，跳表指针能跳过不可能匹配的区段。""",
    },
    {
        "key": "jieba",
        "title": "中文分词：jieba 的搜索模式与用户词典",
        "tags": ["中文分词", "jieba"],
        "days_ago": 70,
        "body": """jieba 有精确模式、全模式和搜索引擎模式。搜索引擎模式在精确切分的基础上，
对长词再切出其中的短词，提高召回。

领域词（比如“扩散模型”“自注意力”）容易被切碎，可以用 `jieba.load_userdict` 加载用户词典，
每行一个词，后面可以跟词频和词性。""",
    },
    {
        "key": "bm25",
        "title": "BM25 排序公式详解",
        "tags": ["搜索引擎", "排序"],
        "days_ago": 220,
        "body": """BM25 在 TF-IDF 的基础上做了两点改进：词频饱和（参数 k1）和文档长度归一化（参数 b）。
k1 通常取 1.2 到 2.0，b 取 0.75。

Lucene 从 6.0 开始默认使用 BM25。和向量召回相比，BM25 对专有名词和编号的匹配更可靠。""",
    },
    {
        "key": "postgres-fts",
        "title": "PostgreSQL 全文检索与 GIN 索引",
        "tags": ["PostgreSQL", "全文检索"],
        "days_ago": 30,
        "body": """PostgreSQL 用 tsvector 存文档的词位，用 tsquery 表达查询，@@ 运算符判断是否匹配。
GIN 索引让 tsvector 上的查询不必扫描全表。

内置的解析器不认识中文，一整段汉字会变成一个词，所以要在应用里先分词，
再用 simple 配置生成 tsvector。排序可以用 ts_rank_cd，它考虑匹配词之间的距离。""",
    },
    {
        "key": "hnsw",
        "title": "向量检索：HNSW 图索引原理",
        "tags": ["向量检索", "ANN"],
        "days_ago": 110,
        "body": """HNSW 把向量组织成多层的小世界图，上层稀疏、下层稠密。
查询从顶层入口开始贪心地走向更近的邻居，逐层下降，最后在底层做一次较宽的搜索。

参数 M 控制每个节点的边数，efSearch 控制搜索宽度，二者在召回率和延迟之间权衡。
这是近似最近邻搜索中最常用的图索引。""",
    },
    {
        "key": "hybrid-retrieval",
        "title": "混合检索：BM25 与向量召回的融合",
        "tags": ["RAG", "向量检索"],
        "days_ago": 45,
        "body": """只用向量召回，专有名词和型号常常找不回来；只用 BM25，又抓不住同义改写。
混合检索把两路结果用 RRF（倒数排名融合）合并，再交给交叉编码器重排序。

在我们的问答数据上，混合检索的 recall@10 比单路向量召回高了 12 个百分点。""",
    },
    {
        "key": "bloom-skiplist",
        "title": "布隆过滤器与跳表：两个概率数据结构",
        "tags": ["数据结构"],
        "days_ago": 1000,
        "body": """布隆过滤器用 k 个哈希函数把元素映射到位数组，只会误报不会漏报，适合在查磁盘之前挡掉不存在的键。
跳表用随机层数的多级链表实现有序集合，插入和查找都是 O(log n)，Redis 的有序集合就用了它。""",
    },
    {
        "key": "learning-to-rank",
        "title": "Learning to rank with LambdaMART",
        "tags": ["ranking", "search"],
        "days_ago": 650,
        "language": "en",
        "body": """LambdaMART combines gradient boosted trees with lambda gradients that optimize NDCG directly.
Features include BM25 scores per field, click-through rates and document freshness.
We trained it with LightGBM on a few thousand judged queries and gained four points of NDCG@10.""",
    },
    {
        "key": "rag-rerank",
        "title": "Building a RAG pipeline with reranking",
        "tags": ["RAG", "LLM"],
        "days_ago": 35,
        "language": "en",
        "body": """Retrieval-augmented generation fails quietly when retrieval is poor. We retrieve fifty chunks
with hybrid search, rerank them with a cross-encoder reranker, and keep the best five for the prompt.
Reranking costs about 40 ms per query and cut wrong answers by a third.""",
    },
    {
        "key": "elasticsearch-cjk",
        "title": "Elasticsearch analyzers for CJK text",
        "tags": ["Elasticsearch", "CJK"],
        "days_ago": 750,
        "language": "en",
        "body": """The standard analyzer splits Chinese into single characters, which hurts precision.
The cjk analyzer emits bigrams; the smartcn and IK plugins segment into words.
We compare index size and query quality of the three on a corpus of technical articles.""",
    },
    {
        "key": "autocomplete",
        "title": "Query autocomplete with tries and prefix indexes",
        "tags": ["search", "data structures"],
        "days_ago": 520,
        "language": "en",
        "body": """Autocomplete must answer within a few milliseconds as the user types. A trie keyed by
normalized query prefixes, with the top suggestions cached at each node, does that.
For larger vocabularies, a finite state transducer stores the same prefix index in far less memory.""",
    },
    {
        "key": "decorators",
        "title": "Python 装饰器的七种用法",
        "tags": ["Python"],
        "days_ago": 550,
        "body": """装饰器本质上是接受函数、返回函数的可调用对象。常见用法有：计时、缓存（functools.lru_cache）、
重试、权限检查、注册插件、参数校验和上下文注入。

写装饰器时记得用 functools.wraps 保留原函数的名字和文档字符串，否则调试时会很痛苦。""",
    },
    {
        "key": "asyncio",
        "title": "asyncio 协程与事件循环",
        "tags": ["Python", "并发"],
        "days_ago": 480,
        "body": """协程用 async def 定义，await 把控制权交还给事件循环。事件循环在单线程里调度成百上千个协程，
适合 IO 密集的任务，比如并发抓取网页。

CPU 密集的代码会阻塞事件循环，应该放到 run_in_executor 的进程池里执行。
asyncio.gather 并发运行多个协程，TaskGroup 在出错时能自动取消其余任务。""",
    },
    {
        "key": "gil",
        "title": "Python 的全局解释器锁 GIL 与多进程",
        "tags": ["Python", "并发"],
        "days_ago": 820,
        "body": """CPython 的 GIL 保证同一时刻只有一个线程执行字节码，所以多线程跑 CPU 密集任务不会变快。
IO 等待时 GIL 会释放，多线程对网络请求仍然有效。

CPU 密集任务用 multiprocessing 或 concurrent.futures.ProcessPoolExecutor；
Python 3.13 提供了实验性的无 GIL 构建（free-threading）。""",
    },
    {
        "key": "generators",
        "title": "生成器与 yield from",
        "tags": ["Python"],
        "days_ago": 950,
        "body": """生成器函数遇到 yield 就暂停并产出一个值，下次迭代时从暂停处继续，适合惰性地处理大文件。
yield from 把迭代委托给子生成器，还会正确传递 send 和 throw，是早期协程的基础。""",
    },
    {
        "key": "django-orm",
        "title": "Django ORM 查询优化：select_related 与 prefetch_related",
        "tags": ["Django", "数据库"],
        "days_ago": 140,
        "body": """列表页最常见的性能问题是 N+1 查询：循环里访问外键，每次都发一条 SQL。
select_related 用 JOIN 一次取回外键对象，prefetch_related 对多对多关系额外发一条 IN 查询。

测试里用 assertNumQueries 固定查询次数，防止以后有人无意中改坏。""",
    },
    {
        "key": "type-hints",
        "title": "Type hints and mypy in a large codebase",
        "tags": ["Python", "typing"],
        "days_ago": 260,
        "language": "en",
        "body": """We added type hints to a 200k-line Django codebase over six months. Strict mode from day one
failed; module-by-module adoption with a per-module mypy config worked.
Protocols replaced most abstract base classes, and TypedDict documented our JSON payloads.""",
    },
    {
        "key": "profiling",
        "title": "Profiling Python with cProfile and py-spy",
        "tags": ["Python", "performance"],
        "days_ago": 330,
        "language": "en",
        "body": """cProfile measures every function call deterministically but slows the program down.
py-spy samples a running process from outside, with almost no overhead, and draws flame graphs.
Use cProfile for a benchmark you can rerun and py-spy for a production process you cannot stop.""",
    },
    {
        "key": "celery-idempotency",
        "title": "Celery task idempotency patterns",
        "tags": ["Celery", "Python"],
        "days_ago": 75,
        "language": "en",
        "body": """With acks_late, a Celery task may run twice after a worker crash, so every task should be
idempotent: running it again must leave the same state. Pass primary keys, not objects;
re-read the row inside the task; and write with upserts or conditional updates.""",
    },
    {
        "key": "context-managers",
        "title": "Context managers beyond with open()",
        "tags": ["Python"],
        "days_ago": 600,
        "language": "en",
        "body": """contextlib.contextmanager turns a generator into a context manager; ExitStack composes a
dynamic number of them. We use them for database transactions, temporary settings in tests,
and timing blocks of code.""",
    },
    {
        "key": "packaging",
        "title": "Packaging with pyproject.toml and uv",
        "tags": ["Python", "packaging"],
        "days_ago": 55,
        "language": "en",
        "body": """pyproject.toml replaced setup.py as the single place for metadata, dependencies and tool
configuration. uv resolves and installs dependencies an order of magnitude faster than pip,
and its lock file makes builds reproducible.""",
    },
    {
        "key": "btree",
        "title": "红黑树与 B+树：数据库索引为什么用 B+树",
        "tags": ["数据结构", "数据库"],
        "days_ago": 990,
        "body": """红黑树是平衡二叉查找树，适合内存中的有序映射；但树高为 log₂n，放在磁盘上每层都是一次随机 IO。
B+树每个节点存成百上千个键，树高只有三四层，叶子节点串成链表，范围查询顺序读取即可。""",
    },
    {
        "key": "dataclasses",
        "title": "Dataclasses vs attrs vs pydantic",
        "tags": ["Python"],
        "days_ago": 410,
        "language": "en",
        "body": """dataclasses are in the standard library and cover simple records. attrs adds validators and
slots with less boilerplate. pydantic validates and parses untrusted input such as JSON
and is the right tool at system boundaries.""",
    },
    {
        "key": "overfitting-traditional",
        "title": "機器學習中的過擬合與正則化",
        "tags": ["機器學習"],
        "days_ago": 1100,
        "body": """過擬合是指模型在訓練集上表現很好，在測試集上卻很差。常見的對策有正則化、提前停止和資料增強。
L1 正則化讓權重變得稀疏，L2 正則化讓權重整體變小；Dropout 在訓練時隨機丟棄神經元，也是一種正則化。""",
    },
    {
        "key": "gradient-accumulation",
        "title": "梯度累积与大 batch 训练",
        "tags": ["训练技巧"],
        "days_ago": 260,
        "body": """显存放不下大 batch 时，可以把一个大 batch 拆成多个小 batch，累加梯度后再更新一次参数，这就是梯度累积。
注意损失要除以累积步数，BatchNorm 的统计量仍然只来自小 batch。学习率按线性缩放规则随有效 batch 增大。""",
    },
]

# Posts that readers must never find: a draft and a post scheduled for next week.
HIDDEN_POSTS = [
    {
        "key": "draft",
        "title": "草稿：量子退火搜索的初步想法",
        "tags": ["草稿"],
        "status": "draft",
        "body": "这篇关于量子退火搜索的草稿还没写完，Zephyrquokka 是占位词。",
    },
    {
        "key": "scheduled",
        "title": "即将发布：稀疏注意力原型",
        "tags": ["注意力"],
        "status": "scheduled",
        "days_ago": -7,
        "body": "下周发布的稀疏注意力原型，代号 Marmotlantern。",
    },
]

# (query, keys of the posts a reader expects among the first results, the best first).
QUERIES = [
    ("倒排索引", ["inverted-index"]),
    ("梯度检查点", ["gradient-checkpointing"]),
    ("无辅助损失 负载均衡", ["deepseek-moe"]),
    ("MLA", ["deepseek-mla"]),
    ("Gumbel Softmax", ["gumbel-softmax"]),
    ("AdamW 权重衰减", ["adamw"]),
    ("扩散模型", ["diffusion"]),
    ("自注意力", ["self-attention"]),
    # Traditional script finds Simplified posts, and the other way round.
    ("梯度檢查點", ["gradient-checkpointing"]),
    ("權重衰減", ["adamw"]),
    ("擴散模型", ["diffusion"]),
    ("協程 事件循環", ["asyncio"]),
    ("过拟合 正则化", ["overfitting-traditional"]),
    # Mixed Chinese and English.
    ("PostgreSQL 全文检索", ["postgres-fts"]),
    ("jieba 用户词典", ["jieba"]),
    ("Django 查询优化", ["django-orm"]),
    ("LoRA 微调", ["lora"]),
    ("DeepSeek 负载均衡", ["deepseek-moe"]),
    ("INT4 量化", ["quantization"]),
    # One character.
    ("锁", ["gil"]),
    ("树", ["btree"]),
    # Only in a tag.
    ("显存优化", ["gradient-checkpointing"]),
    ("ANN", ["hnsw"]),
    ("模型压缩", ["distillation"]),
    # Model and version names.
    ("qwen1.5", ["qwen"]),
    ("gpt-4o", ["gpt-4o"]),
    ("r1", ["deepseek-r1"]),
    # English, plurals and phrases.
    ("transformer", ["transformers-scratch"]),
    ('"gradient checkpointing"', ["gradient-checkpointing"]),
    ("learning rate warmup", ["warmup"]),
    ("speculative decoding", ["speculative-decoding"]),
    ("layer normalization", ["normalization"]),
    ("LambdaMART", ["learning-to-rank"]),
    ("idempotent celery tasks", ["celery-idempotency"]),
    ("pyproject.toml", ["packaging"]),
    ("BM25", ["bm25", "hybrid-retrieval"]),
    ("HNSW", ["hnsw"]),
    ("FlashAttention", ["flash-attention"]),
    ("装饰器", ["decorators"]),
    ("yield from", ["generators"]),
    ("知识蒸馏", ["distillation"]),
    ("RoPE 位置编码", ["rope"]),
    ("混合精度", ["mixed-precision"]),
    ("梯度累积", ["gradient-accumulation"]),
    ("type hints", ["type-hints"]),
    ("reranking", ["rag-rerank"]),
]

# Short, recent notes that mention a subject in passing: a reader searching for the subject
# wants the post *about* it first (its title and tags name it, it discusses it at length), not
# the note that names it once. Kept apart from POSTS, whose counts other tests assert.
NOTES = [
    {
        "key": "note-weekly-reading",
        "title": "周记：这周读了什么",
        "tags": ["周记"],
        "days_ago": 1,
        "body": "顺手看了 KV cache 压缩、HNSW 的两个参数，还有 LoRA 的一个新变体，改天细说。",
    },
    {
        "key": "note-search-outline",
        "title": "搜索引擎杂谈提纲",
        "tags": ["周记"],
        "days_ago": 2,
        "body": "倒排索引、BM25、向量检索各有所长，这里只列个提纲。",
    },
    {
        "key": "note-training-checklist",
        "title": "训练 7B 模型的检查清单",
        "tags": ["清单"],
        "days_ago": 2,
        "body": "混合精度、梯度检查点、梯度累积都打开；学习率先 warmup。",
    },
    {
        "key": "note-links",
        "title": "Links of the week",
        "tags": ["links"],
        "days_ago": 1,
        "language": "en",
        "body": "Worth reading: speculative decoding, FlashAttention, layer normalization and type hints, all explained elsewhere.",
    },
    {
        "key": "note-python-tips",
        "title": "Python 小贴士",
        "tags": ["Python"],
        "days_ago": 3,
        "body": "写装饰器记得用 functools.wraps；Celery 任务要幂等（idempotent）；type hints 别省。",
    },
    {
        "key": "note-rag-todo",
        "title": "RAG 待办",
        "tags": ["待办"],
        "days_ago": 1,
        "body": "试一下 reranking 和 BM25 混合召回，再看 LambdaMART 能不能用。",
    },
]

NOTES += [
    {
        "key": "note-lora-gotcha",
        "title": "LoRA 的一个坑",
        "tags": ["LoRA", "踩坑"],
        "days_ago": 1,
        "body": "合并权重前先确认 rank。",
    },
    {
        "key": "note-hnsw-question",
        "title": "HNSW 参数备忘",
        "tags": ["HNSW"],
        "days_ago": 2,
        "body": "M 取 16。",
    },
    {
        "key": "note-rate-limits",
        "title": "Rate limits, learning and warmup of caches",
        "tags": ["ops"],
        "days_ago": 1,
        "language": "en",
        "body": "Learning from an outage: the rate limiter counted requests twice. A warmup of the cache after deploys helped.",
    },
    {
        "key": "note-decoding-bug",
        "title": "Decoding bug in our speculative feature flag",
        "tags": ["bugs"],
        "days_ago": 1,
        "language": "en",
        "body": "The speculative flag broke UTF-8 decoding of the config.",
    },
    {
        "key": "note-layer-cake",
        "title": "Layer cake architecture",
        "tags": ["architecture", "normalization"],
        "days_ago": 1,
        "language": "en",
        "body": "Each layer talks to the one below; database normalization stays in the data layer.",
    },
]

# (query, keys of the posts about it): with NOTES in the index, the post about the subject first.
NOTE_QUERIES = [
    ("HNSW", ["hnsw"]),
    ("LoRA", ["lora"]),
    ("倒排索引", ["inverted-index"]),
    ("BM25", ["bm25", "hybrid-retrieval"]),
    ("混合精度", ["mixed-precision"]),
    ("梯度检查点", ["gradient-checkpointing"]),
    ("梯度累积", ["gradient-accumulation"]),
    ("speculative decoding", ["speculative-decoding"]),
    ("FlashAttention", ["flash-attention"]),
    ("layer normalization", ["normalization"]),
    ("type hints", ["type-hints"]),
    ("装饰器", ["decorators"]),
    ("reranking", ["rag-rerank"]),
    ("LambdaMART", ["learning-to-rank"]),
    ("idempotent celery tasks", ["celery-idempotency"]),
    ("learning rate warmup", ["warmup"]),
]
