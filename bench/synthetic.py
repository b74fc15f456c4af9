"""A deterministic synthetic archive: N contributions over several discussions and languages.

The same seed always gives the same files, so figures from two runs compare like for like.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

WORDS = {
    "fr": """
        migration développement autorités locales coopération décentralisée diaspora commune
        région territoire jumelage transferts fonds projet association partenariat politique
        nationale stratégie planification intégration services migrants accueil retour formation
        compétences réseau dialogue gouvernance acteurs société civile mobilité investissement
        emploi jeunesse éducation santé eau agriculture village ville maire conseil municipal
        budget participation consultation expérience pratique défi résultat
    """.split(),
    "en": """
        migration development local authorities decentralised cooperation diaspora municipality
        region territory twinning remittances funds project association partnership policy
        national strategy planning integration services migrants reception return training
        skills network dialogue governance actors civil society mobility investment employment
        youth education health water agriculture village city mayor council budget participation
        consultation experience practice challenge result evidence
    """.split(),
    "es": """
        migración desarrollo autoridades locales cooperación descentralizada diáspora municipio
        región territorio hermanamiento remesas fondos proyecto asociación alianza política
        nacional estrategia planificación integración servicios migrantes acogida retorno
        formación competencias red diálogo gobernanza actores sociedad civil movilidad inversión
        empleo juventud educación salud agua agricultura pueblo ciudad alcalde concejo
        presupuesto participación consulta experiencia práctica desafío resultado
    """.split(),
}
FILLER = {
    "fr": """
        le la les des un une et dans pour avec sur que qui est sont nous vous leur
    """.split(),
    "en": """
        the a of and in for with on that which is are we you their this
    """.split(),
    "es": """
        el la los las de un una y en para con sobre que es son nosotros su este
    """.split(),
}
FIRST = """
    Aminata Karim Elena Lucía François José Sara Ousmane Camila Hannah Youssef Inês
""".split()
LAST = """
    Traoré Idrissi Marchetti Fernández Ndiaye Núñez Benali Sy Rojas Vogel Amrani Mensah
""".split()
COUNTRIES = """
    Mali Morocco Italy Spain Senegal Colombia France Germany Ghana Peru Ecuador
""".split()


def _sentence(rng: random.Random, language: str) -> str:
    words = [
        rng.choice(WORDS[language]) if rng.random() < 0.45 else rng.choice(FILLER[language])
        for _ in range(rng.randint(8, 22))
    ]
    return " ".join(words).capitalize() + "."


def _body(rng: random.Random, language: str) -> str:
    target = rng.randint(300, 1500)
    paragraphs, count = [], 0
    while count < target:
        paragraph = " ".join(_sentence(rng, language) for _ in range(rng.randint(3, 7)))
        count += len(paragraph.split())
        paragraphs.append(paragraph)
    if rng.random() < 0.3:
        paragraphs.insert(1, "\n".join(f"- {_sentence(rng, language)}" for _ in range(4)))
    return "\n\n".join(paragraphs)


def write_archive(content: Path, total: int, seed: int = 2013, discussions: int = 0) -> list[dict]:
    """Write ``total`` contributions; return their metadata (for building the same with Pelican)."""
    rng = random.Random(seed)
    discussions = discussions or max(2, total // 250)
    per_discussion = [total // discussions + (1 if i < total % discussions else 0)
                      for i in range(discussions)]  # fmt: skip
    written: list[dict] = []
    for index, count in enumerate(per_discussion):
        slug = f"discussion-{index + 1:02d}"
        opens = dt.date(2010 + index % 15, 3, 1) + dt.timedelta(days=7 * (index // 15))
        weeks = 4
        folder = content / "discussions" / slug
        folder.mkdir(parents=True, exist_ok=True)
        week_lines = "".join(
            f"  - number: {w}\n    starts: {opens + dt.timedelta(days=7 * (w - 1))}\n"
            f"    title: {{fr: Semaine {w}, en: Week {w}, es: Semana {w}}}\n"
            f'    questions: {{en: ["{_sentence(rng, "en")[:-1]}?"]}}\n'
            for w in range(1, weeks + 1)
        )
        (folder / "discussion.yml").write_text(
            f"title: {{en: Synthetic discussion {index + 1}, fr: Discussion {index + 1}}}\n"
            f"languages: [en, fr, es]\nopens: {opens}\n"
            f"closes: {opens + dt.timedelta(days=7 * weeks - 1)}\nweeks:\n{week_lines}",
            encoding="utf-8",
        )
        (folder / "call.en.md").write_text(_body(rng, "en")[:2000] + "\n", encoding="utf-8")
        ids: list[tuple[str, str, int]] = []
        for number in range(count):
            week = 1 + number * weeks // max(count, 1)
            day = opens + dt.timedelta(days=7 * (week - 1) + rng.randint(0, 6))
            language = rng.choice(("fr", "en", "es"))
            author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            cid = f"{day}-c{number:05d}"
            front = {
                "title": _sentence(rng, language)[:80].rstrip("."),
                "author": author,
                "week": week,
                "language": language,
                "date": day.isoformat(),
                "country": rng.choice(COUNTRIES),
            }
            earlier = [i for i in ids if i[2] <= week]
            if earlier and rng.random() < 0.3:
                front["in_reply_to"] = rng.choice(earlier)[0]
            elif earlier and rng.random() < 0.05:
                original = rng.choice(earlier)
                other = [lang for lang in ("fr", "en", "es") if lang != original[1]]
                if not any(w.get("translation_of") == original[0] for w in written):
                    front.pop("in_reply_to", None)
                    front["translation_of"] = original[0]
                    front["language"] = language = rng.choice(other)
                    front["week"] = week = original[2]
                    cid = f"{original[0]}-{language}"
            body = _body(rng, language)
            path = folder / "contributions" / f"week-{week}" / f"{cid}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            header = "".join(f"{key}: \"{value}\"\n" if isinstance(value, str) and key in
                             ("title", "author") else f"{key}: {value}\n"
                             for key, value in front.items())  # fmt: skip
            path.write_text(f"---\n{header}---\n\n{body}\n", encoding="utf-8")
            if "translation_of" not in front:
                ids.append((cid, language, week))
            written.append({**front, "id": cid, "discussion": slug, "body": body})
    return written


def write_plain_pelican(content: Path, contributions: list[dict]) -> None:
    """The same texts as ordinary Pelican articles, for the baseline build."""
    content.mkdir(parents=True, exist_ok=True)
    for c in contributions:
        path = content / c["discussion"] / f"{c['id']}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"Title: {c['title']}\nDate: {c['date']}\nAuthor: {c['author']}\n"
            f"Category: {c['discussion']}\nSlug: {c['discussion']}-{c['id']}\n"
            f"Lang: {c['language']}\n\n{c['body']}\n",
            encoding="utf-8",
        )
