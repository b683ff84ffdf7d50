"""Matcher cases shared by the unit tests (tests/unit/test_matcher*.py) and the benches that
measure on them (bench/ablate_text.py, bench/fit_fusion.py): one list each, so a case added for
the tests is measured too."""

from __future__ import annotations

__all__ = ["EVERYDAY_IDIOMS", "EVERYDAY_WORDING", "OFF_TOPIC", "ONE_DISCIPLINE", "PARAPHRASES"]

# Paraphrases of FAQ questions and the topic each must land on.
PARAPHRASES: list[tuple[str, str]] = [
    ("Why does my model get worse if nobody changed the code?", "drift"),
    ("wat is mlops", "mlops-definition"),
    ("what's devops in a nutshell", "devops-definition"),
    ("devops vs mlops testing", "testing"),
    ("testing mlops vs devops", "testing"),
    ("how do u moniter a model in prod", "monitoring"),
    ("what is dvc", "data-versioning"),
    ("what is mlflow used for", "experiment-tracking"),
    ("which pays better mlops or devops", "salary"),
    ("can a devops engineer move into mlops", "career"),
    ("what is continuous training", "ct"),
    ("ci/cd in ml?", "ci|cd|ml-pipelines"),
    ("stages of the devops lifecycle", "devops-lifecycle"),
    ("time complexity of an mlops pipeline with nested loops", "complexity"),
    ("is mlops just devops for machine learning", "is-mlops-just-devops"),
    ("why is data quality so important for ml", "data-quality"),
]

# Everyday questions that must get the polite fallback, never a fact.
OFF_TOPIC: list[str] = [
    "how do i make pancakes",
    "how do i drift in mario kart",
    "what's the capital of australia",
    "how do you deploy a tent in the rain",
    "best way to train for a marathon",
    "which version of the bible is most accurate",
    "explain the offside rule in football",
    "write me a poem about the sea",
    "what is the salary of a teacher",
    "how do i test my blood sugar",
    "how to monitor my heart rate",
    "my bank rejected my loan application",
    "how to deploy troops",
    "2",
    "42",
    "how do i train for a half marathon",
]

# Learner wordings (slang, typos, either word order) and the topic each must land on.
EVERYDAY_WORDING: list[tuple[str, str]] = [
    ("the data folks who build the models, what do they do in mlops", "data-scientists"),
    ("the number crunchers in our team, what is their role in mlops", "data-scientists"),
    ("how do i keep an eye on a model after it goes live", "monitoring"),
    ("explain devops, i'm not technical", "devops-definition"),
    ("wat does ci stand for and what does it do", "ci"),
    ("in which ways do both disciplines overlap", "shared-goals"),
    ("how can i tell whether a deployed model does a good job", "monitoring"),
    ("how can i tell if my model has drifted", "drift"),
    ("in plain words, how are devops and mlops different", "main-difference"),
    ("what is machine lerning operations", "mlops-definition"),
]

# Questions about one discipline's pipeline and the pipeline topic they must land on.
ONE_DISCIPLINE: list[tuple[str, str]] = [
    ("mlops stages in order", "mlops-pipeline"),
    ("devops phases in order", "devops-pipeline"),
]

# Everyday uses of the subject's words, alone, that must stay off-topic.
EVERYDAY_IDIOMS: list[str] = [
    "when does the new phone go live in stores",
    "how do i keep an eye on my toddler",
    "customer service number for my bank",
    "our branch manager keeps changing the rota",
    "what stage of pregnancy is the hardest",
    "which car model holds its value best",
    "is it healthy for teens to have a fashion model as a role model",
    "how should i version my cv for each job application",
    "how do i keep an eye on my weight",
    "when does the new season go live on netflix",
    "is there a good free spell checker",
    "are both disciplines of the triathlon equally hard",
    "which api should i use for weather forecasts",
    "my repository of recipes is getting messy, how to organise it",
]
