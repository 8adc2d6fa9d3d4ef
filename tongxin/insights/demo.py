"""The cockpit's demo: area outlines generated around the demo compounds, and a year of
rollups. It runs after every other module's demo (insights is installed after them)."""

from __future__ import annotations

from tongxin.core.demodata import DemoContext
from tongxin.insights.boundaries import generate_demo
from tongxin.insights.rollups import rollup_refresh


def load(ctx: DemoContext) -> None:
    n = generate_demo()
    run = rollup_refresh(day=ctx.today, months=12)
    ctx.say(f"数据驾驶舱：{n} 个区域边界，{run.rows} 条汇总指标（{run.seconds:.1f} 秒）")
