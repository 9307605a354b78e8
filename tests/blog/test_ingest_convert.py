"""Entry HTML becomes editable Markdown without losing a formula, a number or a link."""

from blog.ingest.convert import html_to_markdown
from blog.markdown import render_markdown


def test_mathjax_delimiters_in_text_become_markdown_math():
    markdown = html_to_markdown(r"<p>设 \(a_1 * b_2\)，则 \[\sum_{i=1}^n x_i\] 成立，$$E=mc^2$$。</p>")
    assert "$a_1 * b_2$" in markdown
    assert "$$\n\\sum_{i=1}^n x_i\n$$" in markdown
    assert "$$\nE=mc^2\n$$" in markdown


def test_single_dollars_follow_pandoc_rules():
    markdown = html_to_markdown("<p>价格 $5 和 $10，而 $x_t$ 是状态。</p>")
    assert "$x_t$" in markdown
    html = render_markdown(markdown)
    assert html.count("<math") == 1  # "$5 and $10" stayed prose


def test_mathjax_script_tags_become_math():
    markdown = html_to_markdown(
        '<p>损失 <script type="math/tex">\\mathcal{L}_{\\text{bal}}</script>：</p>'
        '<script type="math/tex; mode=display">\\int_0^1 f(x)\\,dx</script>'
    )
    assert "$\\mathcal{L}_{\\text{bal}}$" in markdown
    assert "$$\n\\int_0^1 f(x)\\,dx\n$$" in markdown


def test_zhihu_formula_images_become_math():
    markdown = html_to_markdown(
        '<p>其中 <img src="https://www.zhihu.com/equation?tex=W%5E%7BUK%7D" alt="W^{UK}" '
        'class="ee_img tr-noresize" eeimg="1"> 可以吸收。</p>'
        '<p><img class="ztext-math" data-tex="\\frac{QK^\\top}{\\sqrt{d_k}}" src="https://x/eq.png"></p>'
        '<p><img eeimg="1" alt="\\sum_i p_i \\log p_i\\\\" src="https://www.zhihu.com/equation?tex=x"></p>'
    )
    assert "$W^{UK}$" in markdown
    assert "$$\n\\frac{QK^\\top}{\\sqrt{d_k}}\n$$" in markdown
    assert "$$\n\\sum_i p_i \\log p_i\n$$" in markdown
    assert "[公式]" not in markdown and "![" not in markdown


def test_katex_and_mathml_keep_their_tex_and_drop_the_visual_copy():
    markdown = html_to_markdown(
        '<p><span class="katex"><span class="katex-mathml"><math><semantics><mi>y</mi>'
        '<annotation encoding="application/x-tex">y_t</annotation></semantics></math></span>'
        '<span class="katex-html" aria-hidden="true">yt</span></span> 与 '
        '<math display="block"><semantics><mi>z</mi><annotation encoding="application/x-tex">'
        "z^2</annotation></semantics></math></p>"
    )
    assert "$y_t$" in markdown
    assert "$$\nz^2\n$$" in markdown
    assert "yt" not in markdown.replace("y_t", "")


def test_structure_survives_numbers_links_images_tables_code():
    markdown = html_to_markdown(
        '<h2>步骤</h2><ol start="3"><li>统计</li><li>比较</li></ol>'
        '<p><a href="/paper.pdf">论文</a> <img src="fig1.png" alt="图 1"></p>'
        "<table><tr><th>方法</th><th>缓存</th></tr><tr><td>MLA</td><td>$|x|$</td></tr></table>"
        '<pre><code class="language-python">def f(x):\n    return x * 2\n</code></pre>',
        base_url="https://lab.example.com/posts/7.html",
    )
    assert "## 步骤" in markdown
    assert "3. 统计\n4. 比较" in markdown
    assert "[论文](https://lab.example.com/paper.pdf)" in markdown
    assert "![图 1](https://lab.example.com/posts/fig1.png)" in markdown
    assert "| MLA | $|x|$ |" in markdown
    assert "```python\ndef f(x):\n    return x * 2\n```" in markdown
    html = render_markdown(markdown)
    assert "<table>" in html and "<math" in html and 'class="codeblock"' in html


def test_code_inside_pre_is_not_mistaken_for_math():
    markdown = html_to_markdown('<pre class="lang-bash">echo "$HOME and $PATH"</pre>')
    assert '```bash\necho "$HOME and $PATH"\n```' in markdown


def test_nothing_executable_survives():
    markdown = html_to_markdown(
        '<p onclick="alert(1)">正文<script>alert(1)</script><a href="javascript:alert(2)">链接</a>'
        '<iframe src="https://evil.example"></iframe><img src=x onerror="alert(3)"></p>'
        "<style>body{display:none}</style>"
    )
    html = render_markdown(markdown)
    for needle in ["alert", "javascript:", "<iframe", "onerror", "onclick", "<style", "display:none"]:
        assert needle not in html and needle not in markdown
    assert "正文" in html and "链接" in html
