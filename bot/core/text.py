"""Text normalisation shared by the matcher's index and its queries.

Both sides go through the same steps so that "CI/CD", "ci-cd" and "continuous integration and
delivery" meet in the middle: Unicode NFKC, case folding, invisible characters removed, learner
shorthand and common misspellings rewritten, multi-word terms joined into one token, then stemming.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Matching more than this many characters only costs time: no real question is this long.
MAX_QUERY_CHARS = 400

# Zero-width, bidi-control and other format characters (Unicode category Cf) plus controls (Cc).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs"})

# Phrases rewritten before tokenising, longest first so the longer phrase wins.
_PHRASES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {
            "machine learning operations": "mlops",
            "machine learning ops": "mlops",
            "machine-learning ops": "mlops",
            "machine lerning operations": "mlops",
            "machine learnign operations": "mlops",
            "ml ops": "mlops",
            "ml-ops": "mlops",
            "ml/ops": "mlops",
            "ai ops": "mlops",
            "ai operations": "mlops",
            "dev ops": "devops",
            "dev-ops": "devops",
            "dev/ops": "devops",
            "development and operations": "devops",
            "machine learning": "ml",
            # Misspellings are rewritten here too: phrases are matched before single words.
            "machine lerning": "ml",
            "machine learnign": "ml",
            "machine learnig": "ml",
            "machin learning": "ml",
            "machne learning": "ml",
            "mashine learning": "ml",
            "machine-learning": "ml",
            "sets them apart": "differ",
            "learn from": "train on",
            "set them apart": "differ",
            "tell them apart": "differ",
            "tell apart": "differ",
            "new to all this": "",
            "new to this": "",
            "new to": "",
            "i'm new": "",
            "im new": "",
            "in a nutshell": "",
            "in simple terms": "",
            "in plain english": "",
            "in plain words": "",
            "in simple words": "",
            "in layman's terms": "",
            "in laymans terms": "",
            "in lay terms": "",
            "for a beginner": "",
            "for beginners": "",
            "eli5": "",
            # Everyday senses of "model": one token the pack never uses, so they read as unknown.
            "model train set": "modeltrainset",
            "model train sets": "modeltrainset",
            "car model": "carmodel",
            # "CV" is a learner's resume far more often than continuous validation.
            "my cv": "my resume",
            # "Doing a good job" is about performance, not careers.
            "does a good job": "performs well",
            # Audience qualifiers say who is asking, not what about.
            "not technical": "",
            "non technical": "",
            "non-technical": "",
            "no tech background": "",
            "for dummies": "",
            # Everyday names for the people who build models.
            "data people": "data scientists",
            "data ppl": "data scientists",
            "data folks": "data scientists",
            "data guys": "data scientists",
            "number crunchers": "data scientists",
            "data sci": "data science",
            # Everyday idioms for the subject's verbs.
            "out the door": "release",
        }.items(),
        key=lambda pair: -len(pair[0]),
    )
)
# Phrases written with punctuation ("ci/cd", "ml-ops") are rewritten in the text; the rest are
# matched on whole words after tokenising, which is much cheaper than one big regex.
_PUNCTUATED = tuple((src, dst) for src, dst in _PHRASES if not src.replace(" ", "").isalnum())
_PUNCTUATED_RE = re.compile(
    "|".join(rf"(?<![\w]){re.escape(src)}(?![\w])" for src, _ in _PUNCTUATED)
)
_PUNCTUATED_MAP = dict(_PUNCTUATED)
_WORD_PHRASES: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
for _src, _dst in _PHRASES:
    if (_src, _dst) not in _PUNCTUATED:
        _key = tuple(_src.replace("'", "").split())
        _WORD_PHRASES.setdefault(_key[0], []).append((_key, tuple(_dst.split())))
for _options in _WORD_PHRASES.values():
    _options.sort(key=lambda option: -len(option[0]))

# Token-level shorthand and slang -> the word the content uses. Misspellings are left to the
# matcher's edit-distance correction and the sentence encoder (an ablation on the question sets
# showed the old list of 66 misspellings changed no verdict once the two were fused).
_TOKEN_MAP: dict[str, str] = {
    # Everyday names for the things the subject is about.
    "predictor": "model",
    "predictors": "models",
    "recommender": "model",
    "recommenders": "models",
    "classifier": "model",
    "classifiers": "models",
    "records": "data",
    "coder": "developer",
    "coders": "developers",
    "programmer": "developer",
    "programmers": "developers",
    "program": "software",
    "programs": "software",
    "sysadmin": "operations",
    "admin": "operations",
    "admins": "operations",
    "predictive": "ml",
    "checker": "qa",
    "checkers": "qa",
    "prototype": "experiment",
    "prototypes": "experiments",
    "sysadmins": "operations",
    "relearn": "retrain",
    "relearns": "retrain",
    "b4": "before",
    "2": "to",
    "4": "for",
    "ai": "ml",
    "workflow": "pipeline",
    "workflows": "pipelines",
    "tester": "qa",
    "testers": "qa",
    "input": "data",
    "inputs": "data",
    "operationalise": "operations",
    "operationalize": "operations",
    "operationalising": "operations",
    "operationalizing": "operations",
    "paycheck": "salary",
    "paychecks": "salary",
    "wats": "what",
    "wots": "what",
    "wut": "what",
    "engg": "engineering",
    "u": "you",
    "ur": "your",
    "r": "are",
    "n": "and",
    "y": "why",
    "wat": "what",
    "wot": "what",
    "wht": "what",
    "whats": "what",
    "hw": "how",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thanks",
    "tnx": "thanks",
    "diff": "difference",
    "diffs": "difference",
    "vs": "versus",
    "v": "versus",
    "vs.": "versus",
    "btwn": "between",
    "bw": "between",
    "dif": "difference",
    "ops": "operations",
    "ops.": "operations",
    "dev": "development",
    "devs": "developers",
    "env": "environment",
    "envs": "environments",
    "prod": "production",
    "infra": "infrastructure",
    "k8s": "kubernetes",
    "kube": "kubernetes",
    "repo": "repository",
    "repos": "repositories",
    "config": "configuration",
    "perf": "performance",
    "acc": "accuracy",
    "auto": "automatic",
    "automagically": "automatically",
    "eng": "engineer",
    "engs": "engineers",
    "mgmt": "management",
    "ppl": "people",
    "peeps": "people",
    "biz": "business",
    "deps": "dependencies",
    "dataset": "data",
    "datasets": "data",
    "data-set": "data",
    "algo": "algorithm",
    "algos": "algorithms",
    "realtime": "real-time",
}

# Concepts a learner names in many ways; every variant (as a stem) maps to one token.
_SYNONYM_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("salari", ("salari", "pay", "paid", "earn", "money", "wage", "compens", "incom", "lucrat")),
    ("qualiti", ("qualiti", "messi", "mislabel", "dirti", "noisi", "garbag")),
    ("deploy", ("deploy", "ship", "releas", "rollout", "launch")),
    (
        "differ",
        (
            "differ",
            "distinct",
            "contrast",
            "compar",
            "apart",
            "versus",
            "unlik",
            "separ",
            "distinguish",
        ),
    ),
    ("share", ("share", "common", "similar", "overlap", "alik", "agre", "both")),
    ("explain", ("explain", "interpret", "transpar", "blackbox", "justifi", "regul")),
    ("step", ("step", "stage", "phase")),
)
# Stems that place a question inside the subject. A message with none of them is off-topic,
# however well its other words match ("who scored the most goals" shares only "goal").
DOMAIN_ANCHORS = frozenset(
    """mlop devop ml ai model data pipelin deploy ci cd ct cv train retrain drift registri
    experi experiment featur kubernet docker contain mlflow kubeflow dvc git code softwar
    infrastructur lifecycl artifact reproduc lineag hyperparamet paramet crossvalid iac sidebysid
    stepbystep bigo dataset sre orchestr inferenc latenc uptim rollback canari notebook jupyt
    sagemak vertex airflow tensorflow pytorch sklearn scikit devsecop llmop aiop determinist
    nondeterminist""".split()
)
# Words of the subject that everyday questions use too ("salary", "team", "test"): on their own
# they are weak evidence that a question is about DevOps or MLOps.
WEAK_ANCHORS = frozenset(
    """salari career team tool test monitor version valid qualiti qa metric cloud deliver integr
    continu develop dev oper autom automat app applic servic serv commit engin engineer scientist
    predict accuraci explain degrad releas scale share differ""".split()
)

_SYNONYMS: dict[str, str] = {
    variant: head for head, variants in _SYNONYM_GROUPS for variant in variants
}
# Concepts the subject talks about: a misspelt word may be corrected towards these only.
SUBJECT_STEMS = DOMAIN_ANCHORS | WEAK_ANCHORS | {head for head, _ in _SYNONYM_GROUPS}

# Words that carry no meaning for matching. Question words stay out of this list on purpose where
# they decide the intent ("why" vs "what"), but they are down-weighted by IDF anyway.
STOPWORDS = frozenset(
    """a an the and or but if then so of to in on at by for with from into onto about as is are
    was were be been being am do does did doing done have has had having i me my mine we our ours
    you your yours he she it its they them their this that these those there here what which who
    whom whose how when where why can could would should will shall may might must just really
    very also too any some all each every more most much many such only own same other than
    not no nor up down out over under again further once s t d ll m o re ve y ain aren isn wasn
    doesn don didn hasn haven hadn won wouldn shouldn couldn mustn needn please tell explain
    describe know want wanna gonna like thing things stuff get got getting lot lots kind sort
    even still yet ever exactly actually basically anyway anyone someone something im ive id
    hey hi hello okay ok um uh hmm guys folks question quick simple simply mean means meaning
    one ones let lets us say said way ways dont doesnt isnt arent cant wont didnt wasnt werent
    shouldnt wouldnt couldnt hasnt havent its thats theres whats hows whys youre theyre
    weve tbh imo imho lol btw idk tho though ngl fyi afaik iirc pls plz kinda sorta literally
    honestly seriously totally completely entirely merely fundamentally finally particular
    certain whether""".split()
)

_STEMMER = snowballstemmer.stemmer("english")
_WORD_RE = re.compile(r"[a-z0-9][a-z0-9+#']*")


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """Stem one token and fold it onto its synonym group; cached because vocabularies repeat."""
    token = token.strip("'").removesuffix("'s")
    if token.isdigit() or len(token) <= 2:
        return token
    stemmed = _STEMMER.stemWord(token)
    return _SYNONYMS.get(stemmed, _SYNONYMS.get(token, stemmed))


def clean(text: str) -> str:
    """NFKC, casefold, drop invisible characters, collapse whitespace, cap the length."""
    text = text[: MAX_QUERY_CHARS * 4]
    if not (text.isascii() and text.isprintable()):
        text = unicodedata.normalize("NFKC", text)
        text = "".join(
            " " if unicodedata.category(ch) in _INVISIBLE_CATEGORIES else ch for ch in text
        )
        text = text.replace("’", "'").replace("`", "'")
    return " ".join(text.casefold().split())[:MAX_QUERY_CHARS]


def words(text: str) -> list[str]:
    """Cleaned text split into words, with shorthand and phrases rewritten (no stemming)."""
    text = clean(text)
    if "/" in text or "-" in text:
        text = _PUNCTUATED_RE.sub(lambda m: f" {_PUNCTUATED_MAP[m.group(0)]} ", text)
    raw = [w.removesuffix("'s").replace("'", "") for w in _WORD_RE.findall(text)]
    tokens: list[str] = []
    i = 0
    while i < len(raw):
        for key, replacement in _WORD_PHRASES.get(raw[i], ()):
            if tuple(raw[i : i + len(key)]) == key:
                tokens.extend(replacement)
                i += len(key)
                break
        else:
            # A mapping may itself be several words ("ci/cd" -> "ci cd").
            tokens.extend(_TOKEN_MAP.get(raw[i], raw[i]).split())
            i += 1
    return tokens


def content_stems(text: str) -> list[str]:
    """The stems that carry meaning: what the matcher indexes and compares."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def normalised(text: str) -> str:
    """One string form for fuzzy comparison: rewritten words, stopwords kept for fluency."""
    return " ".join(words(text))
