"""The voice classifier is fitted once and loaded after (commands.fitted)."""

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from massage_coach.clients.voice.commands import fitted

TEXTS = ["next step", "go on", "go back", "previous one", "that tickles", "more oil please"]
LABELS = ["next_step", "next_step", "previous_step", "previous_step", "talk", "talk"]


def classifier(c: float = 1.0):
    return make_pipeline(TfidfVectorizer(), LogisticRegression(C=c))


def test_a_classifier_fitted_once_is_loaded_after_and_predicts_alike(tmp_path):
    first = fitted(classifier(), TEXTS, LABELS, tmp_path)
    [kept] = tmp_path.glob("voice-commands-*.pkl")
    again = classifier()
    loaded = fitted(again, TEXTS, LABELS, tmp_path)
    assert loaded is not again and not hasattr(again[-1], "coef_")  # loaded, not fitted again
    assert list(loaded.predict(["go back please", "next"])) == list(first.predict(["go back please", "next"]))
    assert list(tmp_path.glob("voice-commands-*.pkl")) == [kept]


def test_new_examples_or_settings_fit_anew_and_the_older_fit_is_removed(tmp_path):
    fitted(classifier(), TEXTS, LABELS, tmp_path)
    [before] = tmp_path.glob("voice-commands-*.pkl")
    fitted(classifier(), TEXTS + ["skip it"], LABELS + ["next_step"], tmp_path)
    [with_example] = tmp_path.glob("voice-commands-*.pkl")
    fitted(classifier(c=10.0), TEXTS + ["skip it"], LABELS + ["next_step"], tmp_path)
    [with_setting] = tmp_path.glob("voice-commands-*.pkl")
    assert len({before, with_example, with_setting}) == 3


def test_an_unwritable_place_still_gives_a_fitted_classifier(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    model = fitted(classifier(), TEXTS, LABELS, blocked / "models")
    assert model.predict(["next step"])[0] == "next_step"
