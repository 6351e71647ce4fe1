"""Graphiques du bilan (matplotlib, moteur Agg sans écran) en PNG reproductibles.

Pas de pyplot (état global, fuites de figures en lot) : une Figure par graphique, rendue par
FigureCanvasAgg. Métadonnées PNG figées (pas de « Software » avec la version), graine SVG fixe.
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from guichet_cli.core import frformat as fr

_RC = {"svg.hashsalt": "guichet", "font.family": "DejaVu Sans", "font.size": 9, "axes.spines.top": False,
       "axes.spines.right": False}
_BLUE, _GREEN, _GREY = "#1f4e79", "#4e9a06", "#9aa5b1"
_SERIES = (_GREY, _BLUE, _GREEN, "#c55a11")  # mêmes couleurs que le SVG du HTML


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return buf.getvalue()


def _empty(ax: Any, text: str = "Aucune donnée pour cette année") -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", color=_GREY)


def _fmt_axis(ax: Any, axis: str = "y") -> None:
    formatter = FuncFormatter(lambda v, _pos: fr.integer(v))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def hours_chart(series: list[tuple[str, float, float]], note: str = "") -> bytes:
    """Heures prévues et réalisées sur les mêmes marchés (ceux à heures prévues), par année
    (année précédente d'abord si elle existe) ; `note` dit ce qui est laissé hors du graphique."""
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(6, 3))
        ax = fig.add_subplot()
        if not any(p or d for _, p, d in series):
            _empty(ax)
        else:
            xs = range(len(series))
            ax.bar([x - 0.2 for x in xs], [p for _, p, _ in series], width=0.4, color=_GREY, label="prévues")
            ax.bar([x + 0.2 for x in xs], [d for _, _, d in series], width=0.4, color=_BLUE,
                   label="réalisées (mêmes marchés)")
            for bars in ax.containers:  # valeurs au-dessus des barres, en format français
                ax.bar_label(bars, labels=[fr.integer(b.get_height()) for b in bars], fontsize=8, padding=2)
            ax.set_xticks(list(xs), [label for label, _, _ in series])
            ax.set_ylabel("heures d'insertion")
            ax.margins(y=0.15)
            _fmt_axis(ax)
            # légende au-dessus du tracé : à l'intérieur, elle recouvre les barres
            ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
        if note:
            fig.text(0.01, 0.01, note, fontsize=7, color=_GREY)
        fig.subplots_adjust(left=0.14, right=0.97, top=0.86, bottom=0.17 if note else 0.12)
        return _png(fig)


def barh_chart(items: list[tuple[str, float]], xlabel: str, note: str = "") -> bytes:
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(6, max(2.2, 0.35 * len(items) + 1.2)))
        ax = fig.add_subplot()
        if not items:
            _empty(ax, note or "Aucune donnée pour cette année")
        else:
            labels = [label for label, _ in items][::-1]
            values = [v for _, v in items][::-1]
            ax.barh(labels, values, color=_GREEN)
            ax.set_xlabel(xlabel)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # des effectifs : pas de graduation 2,5
            _fmt_axis(ax, "x")
            if note:
                fig.text(0.01, 0.01, note, fontsize=7, color=_GREY)
            # marges fixes (pas de tight_layout : un rendu de moins par graphique, utile en lot)
            longest = max(len(label) for label in labels)
            height = fig.get_figheight()
            fig.subplots_adjust(left=min(0.6, 0.04 + 0.0125 * longest), right=0.97, top=1 - 0.25 / height,
                                bottom=0.75 / height)
        return _png(fig)


def grouped_barh_chart(categories: list[str], series: list[tuple[str, list[float]]], xlabel: str, note: str = "") -> bytes:
    """Barres horizontales groupées : une rangée par catégorie, une barre par série (par année), valeur
    au bout de la barre ; légende au-dessus. Mêmes couleurs que le SVG du HTML."""
    with matplotlib.rc_context(_RC):
        n = max(1, len(series))
        fig = Figure(figsize=(6, max(2.4, 0.25 * n * len(categories) + 1.5)))
        ax = fig.add_subplot()
        if not categories:
            _empty(ax)
        else:
            height = 0.8 / n
            ys = range(len(categories))
            for s, (name, values) in enumerate(series):
                color = _BLUE if n == 1 else _SERIES[s % len(_SERIES)]
                # première catégorie en haut, première série en haut du groupe
                pos = [len(categories) - 1 - y + 0.4 - height * (s + 0.5) for y in ys]
                bars = ax.barh(pos, values, height=height, color=color, label=name)
                ax.bar_label(bars, labels=[fr.integer(v) for v in values], fontsize=7, padding=2)
            # libellés longs (« marché réservé aux structures d'insertion… ») sur plusieurs lignes
            wrapped = [textwrap.fill(c, 32) for c in categories]
            ax.set_yticks([len(categories) - 1 - y for y in ys], wrapped, fontsize=8)
            ax.set_xlabel(xlabel)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.margins(x=0.12)
            _fmt_axis(ax, "x")
            if n > 1:
                ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(n, 4))
            longest = max(len(line) for label in wrapped for line in label.splitlines())
            h = fig.get_figheight()
            fig.subplots_adjust(left=min(0.6, 0.04 + 0.0125 * longest), right=0.97,
                                top=1 - (0.45 if n > 1 else 0.25) / h, bottom=0.8 / h)
        if note:
            fig.text(0.01, 0.01, note, fontsize=7, color=_GREY)
        return _png(fig)
