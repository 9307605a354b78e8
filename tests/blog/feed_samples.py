"""Feed documents for ingestion tests, written here (no fixture files to drift)."""

from email.utils import format_datetime
from html import escape


def rss(items, title="某实验室博客", link="https://lab.example.com/", encoding="utf-8"):
    """An RSS 2.0 document; items are dicts with guid, title, link, html and optional pubDate."""
    rows = "".join(
        f"""<item>
  <title>{escape(item["title"])}</title>
  <link>{escape(item.get("link", ""))}</link>
  {f'<guid isPermaLink="false">{escape(item["guid"])}</guid>' if item.get("guid") else ""}
  {f"<pubDate>{format_datetime(item['published'])}</pubDate>" if item.get("published") else ""}
  {"".join(f"<category>{escape(tag)}</category>" for tag in item.get("tags", []))}
  <description>{escape(item["html"])}</description>
</item>"""
        for item in items
    )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link><description>d</description>"
        f"{rows}</channel></rss>"
    )


def atom(entries, title="Paper notes", link="https://notes.example.org/"):
    """An Atom 1.0 document; entries are dicts with id, title, link, html."""
    rows = "".join(
        f"""<entry>
  <id>{escape(entry["id"])}</id>
  <title>{escape(entry["title"])}</title>
  <link rel="alternate" href="{escape(entry["link"])}"/>
  <updated>2026-11-01T08:00:00Z</updated>
  <published>2026-11-01T08:00:00Z</published>
  <author><name>Notes</name></author>
  <content type="html">{escape(entry["html"])}</content>
</entry>"""
        for entry in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f'<id>urn:notes</id><title>{escape(title)}</title><link rel="alternate" href="{link}"/>'
        f"<updated>2026-11-01T08:00:00Z</updated>{rows}</feed>"
    )


def entries(count, prefix="post"):
    """`count` simple RSS items with distinct guids."""
    return [
        {
            "guid": f"{prefix}-{i}",
            "title": f"第 {i} 篇：注意力机制",
            "link": f"https://lab.example.com/{prefix}/{i}",
            "html": f"<p>正文 {i}，公式 \\(x_{i}^2\\)。</p>",
        }
        for i in range(count)
    ]
