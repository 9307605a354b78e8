"""Load a handful of demo posts (Chinese and English, math, code, tags, one series).

Idempotent: posts are keyed by slug and never overwritten, so an edit made in the admin
survives the next `make run`.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from blog.models import Post, Series

SERIES = {
    "slug": "deepseek-xi-lie",
    "title": "DeepSeek 系列",
    "description": "从 MLA 到无辅助损失的负载均衡：逐篇读懂 DeepSeek-V2/V3 的架构设计。",
}

DEMO_POSTS = [
    {
        "slug": "deepseek-v3-mla",
        "title": "DeepSeek-V3 架构解析（一）：多头潜在注意力 MLA",
        "language": "zh",
        "tags": ["DeepSeek", "注意力机制", "LLM"],
        "series_order": 1,
        "days_ago": 9,
        "body": r"""**DeepSeek-V3**的注意力层用的是多头潜在注意力（MLA）。它的出发点很直接：推理时
KV 缓存太大。标准多头注意力对每个词元缓存 $2 n_h d_h$ 个数，而 MLA 只缓存一个低秩的潜在向量 $c_t^{KV}$。

## 低秩联合压缩

对第 $t$ 个词元的输入 $h_t$，先压缩再还原：

$$
c_t^{KV} = W^{DKV} h_t, \qquad k_t^C = W^{UK} c_t^{KV}, \qquad v_t^C = W^{UV} c_t^{KV}
$$

其中 $c_t^{KV} \in \mathbb{R}^{d_c}$，且 $d_c \ll n_h d_h$。注意力本身仍是熟悉的形式：

$$
\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right) V
$$

## 缓存对比

| 方法 | 每个词元的 KV 缓存 | 能力 |
| --- | --- | --- |
| MHA | $2 n_h d_h l$ | 强 |
| GQA | $2 n_g d_h l$ | 中 |
| MLA | $(d_c + d_h^R) l$ | 强 |

**注意：**推理时 $W^{UK}$ 可以被吸收进 $W^Q$，所以不必显式还原出 $k_t^C$。

```python
import torch

def compress_kv(h, w_dkv):
    # h: (batch, seq, d_model) -> (batch, seq, d_c)
    return h @ w_dkv.T
```
""",
    },
    {
        "slug": "deepseek-v3-moe-load-balance",
        "title": "DeepSeek-V3 架构解析（二）：无辅助损失的负载均衡",
        "language": "zh",
        "tags": ["DeepSeek", "MoE", "LLM"],
        "series_order": 2,
        "days_ago": 6,
        "body": r"""混合专家（MoE）模型最怕路由坍缩：少数专家被挤爆，其余专家闲着。传统做法是加一个辅助损失
$\mathcal{L}_{\text{bal}} = \alpha \sum_{i=1}^{N} f_i P_i$，但它会干扰主任务的梯度。

DeepSeek-V3 给每个专家加一个偏置 $b_i$，只用于选择 Top-K，不参与门控权重：

$$
g'_{i,t} = \begin{cases} s_{i,t}, & s_{i,t} + b_i \in \operatorname{TopK}(\{ s_{j,t} + b_j \}, K_r) \\ 0, & \text{otherwise} \end{cases}
$$

每个训练步结束后，过载的专家 $b_i \leftarrow b_i - \gamma$，欠载的专家 $b_i \leftarrow b_i + \gamma$。

1. 统计每个专家在本批次的负载；
2. 与平均负载比较；
3. 按符号更新偏置 $b_i$。

这样既保持了均衡，又不引入额外的梯度项。
""",
    },
    {
        "slug": "inverted-index-basics",
        "title": "倒排索引与搜索：从分词到排序",
        "language": "zh",
        "tags": ["搜索", "倒排索引"],
        "days_ago": 4,
        "body": r"""搜索引擎的核心数据结构是**倒排索引**：从词项映射到包含它的文档列表。
中文没有空格，所以建索引之前要先分词，例如“倒排索引创建索引的流程”切成“倒排/索引/创建/索引/的/流程”。

## 排序：BM25

给定查询 $q$ 和文档 $d$，BM25 的打分是

$$
\operatorname{score}(d, q) = \sum_{t \in q} \operatorname{IDF}(t) \cdot \frac{f(t, d)\,(k_1 + 1)}{f(t, d) + k_1 \left(1 - b + b \frac{|d|}{\text{avgdl}}\right)}
$$

常用 $k_1 \in [1.2, 2.0]$，$b = 0.75$。

```sql
SELECT id, ts_rank_cd(search_vector, query) AS rank
FROM blog_post, to_tsquery('simple', '倒排 & 索引') query
WHERE search_vector @@ query
ORDER BY rank DESC;
```
""",
    },
    {
        "slug": "gumbel-softmax-explained",
        "title": "Gumbel-Softmax, explained with one picture in mind",
        "language": "en",
        "tags": ["Gumbel Softmax", "Deep Learning"],
        "days_ago": 3,
        "body": r"""Sampling from a categorical distribution is not differentiable. The Gumbel-Max trick
writes a sample as $z = \operatorname{one\_hot}(\arg\max_i (\log \pi_i + g_i))$ with
$g_i \sim \text{Gumbel}(0, 1)$, and Gumbel-Softmax relaxes the $\arg\max$:

$$
y_i = \frac{\exp\left((\log \pi_i + g_i)/\tau\right)}{\sum_{j=1}^{k} \exp\left((\log \pi_j + g_j)/\tau\right)}
$$

As the temperature $\tau \to 0$ the samples approach one-hot vectors; a larger $\tau$ gives smoother
gradients with more bias.

```python
import torch
import torch.nn.functional as F

logits = torch.randn(4, 10, requires_grad=True)
sample = F.gumbel_softmax(logits, tau=0.5, hard=True)  # straight-through estimator
```

The *straight-through* variant uses the hard one-hot sample in the forward pass and the soft
gradient in the backward pass.
""",
    },
    {
        "slug": "adamw-weight-decay",
        "title": "AdamW: why weight decay is not L2 regularisation",
        "language": "en",
        "tags": ["Optimisation", "Deep Learning"],
        "days_ago": 2,
        "body": r"""With plain SGD, adding $\frac{\lambda}{2}\lVert\theta\rVert^2$ to the loss and decaying the
weights are the same thing. With Adam they are not, because the L2 gradient $\lambda\theta$ gets
divided by $\sqrt{\hat v_t} + \epsilon$ like every other gradient.

AdamW decouples the decay from the adaptive step:

\begin{align}
m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
\theta_t &= \theta_{t-1} - \eta \left( \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda \theta_{t-1} \right)
\end{align}

In PyTorch that is `torch.optim.AdamW(params, lr=3e-4, weight_decay=0.1)`. A price of $5 and $10
in prose stays prose.
""",
    },
    {
        "slug": "python-gil-and-free-threading",
        "title": "Python 内部机制：GIL 与 free-threading 构建",
        "language": "zh",
        "tags": ["Python", "CPython"],
        "days_ago": 1,
        "body": r"""CPython 的全局解释器锁（GIL）保证同一时刻只有一个线程执行字节码。Python 3.13 起提供了
实验性的 free-threading 构建（`python3.13t`），去掉了 GIL。

## 为什么以前需要 GIL

引用计数 `Py_INCREF` / `Py_DECREF` 不是原子操作。没有锁时，两个线程同时修改同一对象的引用计数会出错。
free-threading 构建改用*偏向引用计数*：拥有者线程走快速路径，其他线程走原子操作。

```c
static inline void Py_INCREF(PyObject *op) {
    op->ob_refcnt++;
}
```

吞吐量的粗略估计：若单线程耗时 $T_1$，可并行部分占比 $p$，则 $n$ 个线程的加速比上限为
$S(n) = \frac{1}{(1 - p) + p / n}$（阿姆达尔定律）。
""",
    },
]


class Command(BaseCommand):
    help = "Load demo posts (Chinese and English, with math, code, tags and one series). Safe to re-run."

    def handle(self, *args, **options):
        User = get_user_model()
        author, _ = User.objects.get_or_create(
            username="inkstone",
            defaults={"first_name": "Inkstone", "last_name": "编辑部", "is_staff": True},
        )
        now = timezone.now()
        created = 0
        with transaction.atomic():
            series, _ = Series.objects.get_or_create(
                slug=SERIES["slug"],
                defaults={"title": SERIES["title"], "description": SERIES["description"]},
            )
            for item in DEMO_POSTS:
                if Post.objects.filter(slug=item["slug"]).exists():
                    continue
                post = Post.objects.create(
                    slug=item["slug"],
                    title=item["title"],
                    body=item["body"],
                    language=item["language"],
                    author=author,
                    status=Post.Status.PUBLISHED,
                    published_at=now - timedelta(days=item["days_ago"]),
                    series=series if "series_order" in item else None,
                    series_order=item.get("series_order"),
                )
                post.tags.set(item["tags"])
                created += 1
        self.stdout.write(
            f"Demo content: {created} posts created, {len(DEMO_POSTS) - created} already there."
        )
