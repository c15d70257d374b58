"""Every text execnotes shows a reader, in each language it speaks.

Labels and buttons of blocks, figure descriptions, the execution report,
and the prose and comments of the notebooks made from pages: adding a
language is adding its entry to `STRINGS`, with every key of `FALLBACK`'s
(tests/architecture/test_strings.py checks that). Keys are grouped by
where the text appears: `block.` (a block's fragments), `figure.` (a
figure's alternative text), `report.`, `notebook.` (a page's notebook),
`download.` (a notebook page's download), `page.`.
"""

from __future__ import annotations

FALLBACK = "en"
"""The language of a page whose language has no entry."""

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "list.separator": "、",
        "list.last": " 和 ",
        "block.output": "输出",
        "block.value": "返回值",
        "block.copy": "复制可运行版本",
        "block.copied": "已复制",
        "block.copy_title": (
            "复制这段代码，连同它用到的 snippets 函数，只装 {needs} 就能运行"
        ),
        "block.truncated": (
            "输出过长，只显示前 {shown:,} 个字符（共 {total:,} 个；调大 "
            "execnotes 插件的 max_output_chars 选项可以看到更多）。"
        ),
        "figure.images": "{n} 幅图像：{items}",
        "figure.one_image": "图像：{title}",
        "figure.panels": "{n} 幅图：",
        "figure.chart": "{what}",
        "figure.against": "{y} 随 {x} 变化的图",
        "figure.legend": "（图例：{items}）",
        "figure.image": "图像",
        "figure.sep": "、",
        "figure.end": "。",
        "figure.join": "；",
        "report.heading.snippet": "代码片段",
        "report.heading.pages": "页面",
        "report.heading.status": "状态",
        "report.heading.source": "来源",
        "report.heading.seconds": "秒",
        "report.source.ran": "运行",
        "report.source.cache": "缓存",
        "report.source.remote": "远程缓存",
        "report.source.missing": "缺失",
        "report.summary": (
            "共 {total} 个代码片段：本次构建运行 {ran} 个，取自缓存 {cached} "
            "个，失败 {failed} 个；运行时间合计 {seconds:.1f} 秒。"
        ),
        "notebook.not_run": "未运行：上面的第 {cell} 个单元格出错了。",
        "notebook.setup_title": "## 准备：辅助代码",
        "notebook.setup_seed": (
            "第一个代码单元格让之后的每个单元格都从构建网站时的随机种子开始，"
            "所以得到的数字和网页上的一致。"
        ),
        "notebook.setup_helpers": (
            "下一个单元格定义本页用到、但没有展示（或在后文才展示）的函数，它"
            "们来自 `snippets` 包，所以不需要安装这个包。"
        ),
        "notebook.reseed_comment": (
            "# 网站构建时，每段演示都在一个新进程里运行，运行之前把\n# "
            "Python、NumPy 和 MXNet 的随机数种子设为 {seed}：\n# "
            "这里在每个单元格之前同样设定种子，\n# 并让 Gluon "
            "自动起的名字（dense0……）重新计数，\n# 结果就和网页上一致。"
        ),
        "notebook.reseed_docstring": (
            "设定 random、numpy 和 mxnet 的种子、重新计数 Gluon "
            "的名字，和网站构建时一样。"
        ),
        "notebook.helpers_header": (
            "# 本页用到、但没有展示（或在后文才展示）的 snippets 包里的函数。"
        ),
        "download.seed_note": (
            "第一个代码单元格像构建网站时那样，在笔记本的第一个单元格运行之前"
            "设定随机种子，所以按顺序运行各单元格，得到的数字和网页上的一致。"
        ),
        "download.seed_comment": (
            "# 网站构建时在一个进程里按顺序运行这个笔记本的单元格，\n# "
            "运行之前把 Python、NumPy 和 MXNet 的随机数种子设为 {seed}。"
        ),
        "download.imported": (
            "# 来自 {package} 包（在准备单元格里定义）：{names}"
        ),
        "page.download_title": "下载本页的 Jupyter 笔记本",
    },
    "en": {
        "list.separator": ", ",
        "list.last": " and ",
        "block.output": "Output",
        "block.value": "Value",
        "block.copy": "Copy runnable",
        "block.copied": "Copied",
        "block.copy_title": (
            "Copy this code with the snippets functions it uses, so it runs "
            "with only {needs} installed"
        ),
        "block.truncated": (
            "Output truncated: showing the first {shown:,} of {total:,} "
            "characters (raise max_output_chars in the execnotes plugin "
            "options to see more)."
        ),
        "figure.images": "{n} images: {items}",
        "figure.one_image": "image: {title}",
        "figure.panels": "{n} charts: ",
        "figure.chart": "{what}",
        "figure.against": "chart of {y} against {x}",
        "figure.legend": " (legend: {items})",
        "figure.image": "image",
        "figure.sep": ", ",
        "figure.end": ".",
        "figure.join": "; ",
        "report.heading.snippet": "Snippet",
        "report.heading.pages": "Pages",
        "report.heading.status": "Status",
        "report.heading.source": "Source",
        "report.heading.seconds": "Seconds",
        "report.source.ran": "ran",
        "report.source.cache": "cache",
        "report.source.remote": "remote cache",
        "report.source.missing": "missing",
        "report.summary": (
            "{total} snippets: {ran} ran in this build, {cached} came from "
            "the cache, {failed} failed; {seconds:.1f} s of run time in all."
        ),
        "notebook.not_run": "Not run: cell {cell} above failed.",
        "notebook.setup_title": "## Setup: helper code",
        "notebook.setup_seed": (
            "The first code cell makes every cell after it start from the "
            "random seed the site was built with, so the numbers match the "
            "page."
        ),
        "notebook.setup_helpers": (
            "The next cell defines the functions this page uses but does not "
            "show (or shows only later), taken from the `snippets` package, "
            "so that package need not be installed."
        ),
        "notebook.reseed_comment": (
            "# The site ran each demo in a fresh process, right after seeding "
            "Python's,\n# NumPy's and MXNet's random generators with {seed}: "
            "seeding before every\n# cell here, and counting Gluon's "
            "automatic names (dense0, ...) afresh,\n# gives the same results "
            "as the page."
        ),
        "notebook.reseed_docstring": (
            "Seed random, numpy and mxnet and restart Gluon's names, as the "
            "site's build did."
        ),
        "notebook.helpers_header": (
            "# Helpers from the snippets package that this page uses but does "
            "not\n# show (or shows only later)."
        ),
        "download.seed_note": (
            "The first code cell seeds the random generators as the site's "
            "build did before the notebook's first cell, so the numbers match "
            "the page when the cells run in order."
        ),
        "download.seed_comment": (
            "# The site ran this notebook's cells in order, in one process, "
            "right after\n# seeding Python's, NumPy's and MXNet's random "
            "generators with {seed}."
        ),
        "download.imported": (
            "# From the {package} package (defined in the setup cell): {names}"
        ),
        "page.download_title": "Download this page as a Jupyter notebook",
    },
}


def language_or_fallback(language: str) -> str:
    """`language` if it has texts, else `FALLBACK`."""
    return language if language in STRINGS else FALLBACK


def words(language: str) -> dict[str, str]:
    """Every text in `language` (in `FALLBACK` if it has none)."""
    return STRINGS[language_or_fallback(language)]


def section(language: str, group: str) -> dict[str, str]:
    """The texts of one group (`block`, `figure`, ...) in `language`, by
    their keys without the group's prefix."""
    prefix = f"{group}."
    return {
        key.removeprefix(prefix): text
        for key, text in words(language).items()
        if key.startswith(prefix)
    }


def listing(language: str, items: tuple[str, ...]) -> str:
    """`items` as a list in prose: `a, b and c` (`a、b 和 c`)."""
    text = words(language)
    if len(items) < 2:
        return "".join(items)
    head = text["list.separator"].join(items[:-1])
    return f"{head}{text['list.last']}{items[-1]}"
