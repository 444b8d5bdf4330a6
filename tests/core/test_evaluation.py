from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageEnhance

from core.cli import main
from core.evaluation import (
    GroundTruth,
    average_precision,
    cosine_matrix,
    evaluate,
    format_comparison,
    format_table,
    load_groundtruth,
    name_lookup,
    ns_score,
    pair_scores,
    pair_summary,
    precision_recall,
    ranking,
    replace_rows,
    resolve_groups,
    retrieval_metrics,
)
from tests.conftest import scene

BENCHDATA = Path(__file__).resolve().parents[2].parent / "shared" / "benchdata"
RESULT_KEYS = {
    "dataset", "images", "queries", "groups", "missing", "problems", "model", "dim", "device",
    "index_seconds", "photos_per_second", "map", "recall@1", "recall@10", "ns@4", "pairs",
    "rotated", "per_group",
}  # fmt: skip


# -- average precision ------------------------------------------------------------------------
def test_average_precision_of_hand_computed_rankings():
    assert average_precision([1, 0, 1], 2) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision([0, 1], 1) == pytest.approx(0.5)
    assert average_precision([1, 1, 0, 0], 2) == pytest.approx(1.0)
    assert average_precision([0, 0, 0, 1], 1) == pytest.approx(0.25)


def test_average_precision_counts_positives_never_retrieved():
    # GIVEN a ranking that retrieves one of two positives, at rank 1
    # THEN the unretrieved positive contributes zero precision
    assert average_precision([1, 0], 2) == pytest.approx(0.5)
    assert average_precision([0, 0], 3) == 0.0


def test_average_precision_needs_a_positive():
    with pytest.raises(ValueError):
        average_precision([0, 1], 0)


def test_ranking_orders_by_score_keeps_ties_stable_and_excludes():
    scores = np.array([0.2, 0.9, 0.5, 0.9])
    assert ranking(scores).tolist() == [1, 3, 2, 0]
    assert ranking(scores, [3, 0]).tolist() == [1, 2]


# -- retrieval --------------------------------------------------------------------------------
def _sim(rows: list[list[float]]) -> np.ndarray:
    matrix = np.array(rows, dtype=np.float32)
    assert np.allclose(matrix, matrix.T)
    return matrix


def test_retrieval_metrics_leave_one_out():
    # GIVEN 4 images, group {0, 1, 2}, and image 3 a distractor
    sim = _sim(
        [
            [1.0, 0.9, 0.3, 0.5],
            [0.9, 1.0, 0.2, 0.8],
            [0.3, 0.2, 1.0, 0.4],
            [0.5, 0.8, 0.4, 1.0],
        ]
    )
    result = retrieval_metrics(sim, [[0, 1, 2]])
    # THEN each query ranks the others without itself:
    #   q0: 1(+) 3(-) 2(+)  -> (1 + 2/3) / 2
    #   q1: 0(+) 3(-) 2(+)  -> (1 + 2/3) / 2
    #   q2: 3(-) 0(+) 1(+)  -> (1/2 + 2/3) / 2
    expected = np.mean([(1 + 2 / 3) / 2, (1 + 2 / 3) / 2, (1 / 2 + 2 / 3) / 2])
    assert result["map"] == pytest.approx(expected)
    assert result["recall@1"] == pytest.approx(2 / 3)
    assert result["recall@10"] == pytest.approx(1.0)
    assert result["queries"] == 3
    assert result["per_group"] == [{"queries": 3, "map": pytest.approx(expected)}]


def test_junk_is_removed_from_the_group_ranking_only():
    # GIVEN group {0, 1} with image 2 as its junk, which outranks the positive
    sim = _sim([[1.0, 0.5, 0.9], [0.5, 1.0, 0.9], [0.9, 0.9, 1.0]])
    # THEN with junk ignored both queries find their positive first; as a negative it costs
    assert retrieval_metrics(sim, [[0, 1]], [[2]])["map"] == pytest.approx(1.0)
    assert retrieval_metrics(sim, [[0, 1]])["map"] == pytest.approx(0.5)


def test_queries_without_positives_are_skipped():
    # GIVEN a group whose other member was not indexed
    sim = _sim([[1.0, 0.1], [0.1, 1.0]])
    result = retrieval_metrics(sim, [[0], [0, 1]])
    assert result["queries"] == 2
    assert result["per_group"][0] == {"queries": 0, "map": None}
    assert retrieval_metrics(sim, [[0]])["map"] is None


def test_ns_score_counts_members_in_top_four_including_the_query():
    # GIVEN two groups of 4 on a line: group A = 0..3 near 0, group B = 4..7 near 10,
    # except that image 3 sits between the groups, nearer to B
    positions = np.array([0.0, 0.1, 0.2, 6.0, 10.0, 10.1, 10.2, 10.3])
    sim = -np.abs(positions[:, None] - positions[None, :])
    score = ns_score(sim, [[0, 1, 2, 3], [4, 5, 6, 7]])
    # THEN queries 0, 1, 2 find all of A (image 3 is their 4th), image 3 finds itself and then
    # B (count 1), and every B query finds all of B
    assert score == pytest.approx((4 + 4 + 4 + 1 + 4 * 4) / 8)


# -- pairs ------------------------------------------------------------------------------------
def test_pair_scores_label_pairs_inside_groups_and_skip_junk():
    sim = _sim(
        [
            [1.0, 0.9, 0.8, 0.1],
            [0.9, 1.0, 0.7, 0.2],
            [0.8, 0.7, 1.0, 0.3],
            [0.1, 0.2, 0.3, 1.0],
        ]
    )
    scores, is_true = pair_scores(sim, [[0, 1]])
    assert scores.tolist() == pytest.approx([0.9, 0.8, 0.1, 0.7, 0.2, 0.3])
    assert is_true.tolist() == [True, False, False, False, False, False]
    # image 2 as group {0, 1}'s junk: its pairs with 0 and 1 are left out
    scores, is_true = pair_scores(sim, [[0, 1]], [[2]])
    assert scores.tolist() == pytest.approx([0.9, 0.1, 0.2, 0.3])
    assert is_true.tolist() == [True, False, False, False]


def test_pair_true_through_another_group_is_kept():
    sim = _sim([[1.0, 0.5, 0.4], [0.5, 1.0, 0.3], [0.4, 0.3, 1.0]])
    # 2 is junk for group {0, 1} but together with 0 forms group {0, 2}
    scores, is_true = pair_scores(sim, [[0, 1], [0, 2]], [[2], []])
    assert scores.tolist() == pytest.approx([0.5, 0.4])
    assert is_true.tolist() == [True, True]


def test_precision_recall_at_thresholds():
    scores = np.array([0.95, 0.85, 0.75, 0.65, 0.55])
    is_true = np.array([True, False, True, True, False])
    curve = precision_recall(scores, is_true, (0.5, 0.7, 0.8, 0.9, 0.99))
    by_t = {e["threshold"]: e for e in curve}
    assert by_t[0.5]["precision"] == pytest.approx(3 / 5)
    assert by_t[0.5]["recall"] == pytest.approx(1.0)
    assert by_t[0.7]["precision"] == pytest.approx(2 / 3)
    assert by_t[0.7]["recall"] == pytest.approx(2 / 3)
    assert by_t[0.8]["precision"] == pytest.approx(1 / 2)
    assert by_t[0.9]["precision"] == pytest.approx(1.0)
    assert by_t[0.9]["recall"] == pytest.approx(1 / 3)
    assert by_t[0.9]["f1"] == pytest.approx(2 * 1 * (1 / 3) / (1 + 1 / 3))
    # nothing predicted: precision undefined, not 0 or 1
    assert by_t[0.99]["precision"] is None
    assert by_t[0.99]["recall"] == 0.0
    assert by_t[0.99]["f1"] is None


def test_threshold_equal_to_score_counts_as_predicted():
    curve = precision_recall(np.array([0.7]), np.array([True]), (0.7,))
    assert curve[0]["predicted"] == 1


def test_pair_summary_picks_fixed_thresholds_best_f1_and_recall_at_precision():
    scores = np.array([0.95, 0.85, 0.75, 0.65, 0.55])
    is_true = np.array([True, False, True, True, False])
    summary = pair_summary(precision_recall(scores, is_true), 3)
    assert summary["true_pairs"] == 3
    assert [p["threshold"] for p in summary["at"]] == [0.6, 0.7, 0.8, 0.9]
    assert summary["at"][0] == {
        "threshold": 0.6,
        "precision": pytest.approx(3 / 4),
        "recall": pytest.approx(1.0),
    }
    # F1 is best (6/7) from 0.56 to 0.65; ties go to the lowest threshold
    assert summary["best_f1"]["threshold"] == pytest.approx(0.56)
    assert summary["best_f1"]["f1"] == pytest.approx(6 / 7)
    # precision 1.0 from 0.86 on, with recall 1/3
    assert summary["recall_at_precision_0.99"] == {
        "threshold": pytest.approx(0.86),
        "precision": 1.0,
        "recall": pytest.approx(1 / 3),
    }


def test_recall_at_precision_is_none_when_unreachable():
    scores = np.array([0.95, 0.94])
    is_true = np.array([False, True])
    summary = pair_summary(precision_recall(scores, is_true), 1)
    assert summary["recall_at_precision_0.99"] is None


def test_cosine_matrix_renormalises_rows():
    sim = cosine_matrix(np.array([[3.0, 0.0], [1.0, 1.0], [0.0, 0.0]]))
    assert sim[0, 0] == pytest.approx(1.0)
    assert sim[0, 1] == pytest.approx(np.sqrt(0.5))
    assert sim[2, 2] == 0.0


# -- ground truth -----------------------------------------------------------------------------
def test_names_match_with_or_without_extension():
    lookup = name_lookup(["a.jpg", "b.png", "b.webp", "sub/c.jpeg", "d"])
    assert lookup["a.jpg"] == lookup["a"] == 0
    assert lookup["b.png"] == 1
    assert lookup["b.webp"] == 2
    assert "b" not in lookup  # ambiguous without its extension
    assert lookup["sub/c"] == lookup["sub/c.jpeg"] == 3
    assert lookup["d"] == 4


def test_resolve_groups_counts_missing_members_not_missing_junk():
    truth = GroundTruth([["a", "b.jpg", "gone"], ["c", "a"]], [["junk_gone", "c"], []], [None] * 2)
    groups, junk, missing = resolve_groups(truth, name_lookup(["a.jpg", "b.jpg", "c.jpg"]))
    assert groups == [[0, 1], [2, 0]]
    assert junk == [[2], []]
    assert missing == ["gone"]


def test_load_groundtruth_reads_junk_by_group_name(tmp_path):
    (tmp_path / "groundtruth.json").write_text(json.dumps({"groups": [["a", "b"], ["c", "d"]]}))
    (tmp_path / "groundtruth_details.json").write_text(
        json.dumps({"group_names": ["first", "second"], "junk": {"second": ["e"]}})
    )
    truth = load_groundtruth(tmp_path)
    assert truth.groups == [["a", "b"], ["c", "d"]]
    assert truth.junk == [[], ["e"]]
    assert truth.names == ["first", "second"]


def test_load_groundtruth_without_details(tmp_path):
    (tmp_path / "groundtruth.json").write_text(json.dumps({"groups": [["a.jpg", "b.jpg"]]}))
    truth = load_groundtruth(tmp_path)
    assert truth.junk == [[]]
    assert truth.names == [None]


# -- end to end -------------------------------------------------------------------------------
SCENES = 4
DISTRACTORS = 3


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue()))


def build_labelled_set(folder: Path, ghost: bool = False, broken: bool = False) -> Path:
    """4 synthetic scenes × (original + resized + re-compressed + brightened) + distractors."""
    images = folder / "images"
    images.mkdir(parents=True)
    groups = []
    for i in range(SCENES):
        original = scene(10 + i, (480, 360))
        original.save(images / f"s{i}.jpg", quality=92)
        original.resize((240, 180), Image.Resampling.LANCZOS).save(images / f"s{i}_small.jpg")
        _jpeg(original, 20).save(images / f"s{i}_q20.jpg", quality=95)
        ImageEnhance.Brightness(original).enhance(1.15).save(images / f"s{i}_bright.png")
        # names with and without their extension, as in the shipped sets
        groups.append([f"s{i}", f"s{i}_small.jpg", f"s{i}_q20", f"s{i}_bright.png"])
    for j in range(DISTRACTORS):
        scene(100 + j, (480, 360)).save(images / f"other{j}.jpg", quality=90)
    if ghost:
        groups[0].append("s0_deleted.jpg")  # labelled but not on disk
    if broken:
        (images / "broken.jpg").write_bytes(b"not a jpeg at all" * 10)
        groups[1].append("broken.jpg")  # labelled but fails to index
    (folder / "groundtruth.json").write_text(json.dumps({"groups": groups}))
    return folder


@pytest.mark.slow
def test_evaluate_finds_edited_copies_of_synthetic_scenes(tmp_path):
    # GIVEN a labelled set with a missing and a broken labelled image
    dataset = build_labelled_set(tmp_path / "set", ghost=True, broken=True)
    # WHEN it is evaluated with decoding in this process
    result = evaluate(dataset, workers=0)
    # THEN every metric is there, the copies are found, and the bad entries are counted
    assert set(result) == RESULT_KEYS
    assert result["dataset"] == "set"
    assert result["images"] == SCENES * 4 + DISTRACTORS
    assert result["queries"] == SCENES * 4
    assert result["missing"] == 2
    assert result["problems"] == 1
    assert result["dim"] > 0
    assert result["model"]
    assert result["map"] > 0.95
    assert result["recall@1"] == 1.0
    assert result["ns@4"] is None  # groups of 5 and 6 as labelled
    pairs = result["pairs"]
    assert pairs["true_pairs"] == SCENES * 6
    assert [p["threshold"] for p in pairs["at"]] == [0.6, 0.7, 0.8, 0.9]
    assert pairs["best_f1"]["f1"] > 0.9
    assert result["index_seconds"] > 0
    assert result["photos_per_second"] > 0
    json.dumps(result)  # JSON-ready
    table = format_table(result)
    assert "mAP" in table
    assert "N-S@4" not in table
    # AND the rotated-query measurement covers every indexed query
    turned = result["rotated"]
    assert turned["queries"] == SCENES * 4
    assert 0.0 <= turned["map"] <= 1.0
    assert "rotated" in table


@pytest.mark.slow
def test_cli_eval_prints_json_with_ns_score_for_groups_of_four(tmp_path, capsys):
    dataset = build_labelled_set(tmp_path / "set")
    code = main(["eval", str(dataset), "--json", "--workers", "0"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["missing"] == 0
    assert result["problems"] == 0
    assert result["ns@4"] > 3.5
    assert "N-S@4" in format_table(result)


@pytest.mark.slow
def test_cli_eval_compares_models_side_by_side(tmp_path, capsys):
    # GIVEN a labelled set and the shipped model named twice (once as --compare)
    from core.embedder import load_manifest
    from core.paths import default_model_manifest

    dataset = build_labelled_set(tmp_path / "set")
    manifest = str(load_manifest(default_model_manifest()).manifest)
    argv = ["eval", str(dataset), "--workers", "0", "--no-rotated", "--compare", manifest]
    # WHEN evaluated as JSON and as a table
    assert main([*argv, "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    # THEN there is one result per model, identical for the same model, without rotation
    assert isinstance(results, list)
    assert len(results) == 2
    assert results[0]["map"] == results[1]["map"]
    assert results[0]["rotated"] is None
    assert main(argv) == 0
    table = capsys.readouterr().out
    assert table.count(results[0]["model"]) == 2
    assert "rotated mAP" in table


def test_format_comparison_puts_a_column_per_model():
    def fake(name: str, value: float) -> dict:
        return {
            "dataset": "d", "queries": 3, "model": name, "dim": 8, "images": 5, "problems": 0,
            "map": value, "recall@1": 1.0, "recall@10": 1.0, "ns@4": None,
            "pairs": {"best_f1": None, "recall_at_precision_0.99": None},
            "rotated": {"map": value / 2, "recall@1": 0.5}, "photos_per_second": 10.0,
        }  # fmt: skip

    table = format_comparison([fake("first", 0.5), fake("second", 0.75)])
    row = next(line for line in table.splitlines() if line.startswith("mAP"))
    assert row.split()[1:] == ["0.500", "0.750"]
    rotated = next(line for line in table.splitlines() if line.startswith("rotated mAP"))
    assert rotated.split()[2:] == ["0.250", "0.375"]
    assert format_comparison([]) == ""


def test_replace_rows_scores_new_queries_against_the_database():
    vectors = np.eye(3, dtype=np.float32)
    similarity = cosine_matrix(vectors)
    # GIVEN query 0 replaced by a vector that looks like item 2
    turned = replace_rows(similarity, [0], np.array([[0.0, 0.0, 2.0]]), vectors)
    # THEN only row 0 changed, and it now ranks item 2 first
    assert turned[0].tolist() == pytest.approx([0.0, 0.0, 1.0])
    assert np.array_equal(turned[1:], similarity[1:])
    assert np.array_equal(similarity, np.eye(3))  # the input is not modified
    result = retrieval_metrics(turned, [[0, 2]])
    assert result["map"] == 1.0


@pytest.mark.slow
def test_evaluate_into_a_kept_library(tmp_path):
    dataset = build_labelled_set(tmp_path / "set")
    result = evaluate(dataset, workers=0, library=tmp_path / "lib")
    assert (tmp_path / "lib" / "catalog.sqlite").is_file()
    assert result["images"] == SCENES * 4 + DISTRACTORS


@pytest.mark.slow
def test_evaluate_with_byte_identical_copies(tmp_path):
    dataset = build_labelled_set(tmp_path / "set")
    images = dataset / "images"
    (images / "s0_copy.jpg").write_bytes((images / "s0.jpg").read_bytes())
    result = evaluate(dataset, workers=0)
    assert result["images"] == SCENES * 4 + DISTRACTORS + 1


def test_evaluate_refuses_a_folder_without_images(tmp_path):
    from core.errors import SimiliError

    with pytest.raises(SimiliError, match="images"):
        evaluate(tmp_path)
