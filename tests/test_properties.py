"""Every property measure against values worked out by hand, plus invariances and edge cases."""

import math

import numpy as np
import pytest

from miarep.measures import properties as P


def test_class_balance_and_ratio_by_hand():
    assert P.class_balance([0, 0, 0, 1]) == 25.0
    assert P.class_balance([1, 1, 1, 0]) == 25.0  # minority label, whichever it is
    assert P.class_balance([0, 1]) == 50.0
    assert P.class_balance([0, 0, 0]) == 0.0  # a single class
    assert math.isnan(P.class_balance([]))
    assert P.class_ratio([0, 0, 0, 1]) == 3.0
    assert P.class_ratio([0, 0]) == math.inf


def test_feature_balance_by_hand():
    codes = np.array([[1, 2], [1, 2], [1, 3], [0, 2]])
    combination = P.most_frequent_combination(codes)
    assert combination.tolist() == [1, 2]
    assert P.feature_balance(codes, combination) == 50.0
    assert P.feature_balance_ratio(50.0) == 1.0
    assert P.feature_balance_ratio(25.0) == pytest.approx(1 / 3)
    assert math.isnan(P.feature_balance(codes[:0], combination))


def test_most_frequent_combination_breaks_ties_lexicographically():
    codes = np.array([[2, 0], [1, 5], [2, 0], [1, 5]])
    assert P.most_frequent_combination(codes).tolist() == [1, 5]


def test_dataset_entropy_by_hand_and_maximal_for_uniform():
    # feature 0: values (0,0,1,1) -> 1 bit; feature 1: (0,0,0,0) -> 0 bits; mean 0.5
    codes = np.array([[0, 0], [0, 0], [1, 0], [1, 0]])
    assert P.dataset_entropy(codes) == pytest.approx(0.5)
    # four equiprobable values: 2 bits, the maximum for 4 values
    uniform = np.array([[0], [1], [2], [3]])
    skewed = np.array([[0], [0], [0], [3]])
    assert P.dataset_entropy(uniform) == pytest.approx(2.0)
    assert P.dataset_entropy(skewed) < P.dataset_entropy(uniform)
    assert P.dataset_entropy(np.array([[7], [7]])) == 0.0  # single value


def test_mutual_information_by_hand():
    a = np.array([0, 0, 1, 1])
    assert P.mutual_information_bits(a, a) == pytest.approx(1.0)  # I(a; a) = H(a) = 1 bit
    assert P.mutual_information_bits(a, np.array([0, 1, 0, 1])) == pytest.approx(0.0)
    assert P.mutual_information_bits(a, np.zeros(4)) == 0.0  # constant predictor


def test_top_mi_features_ranks_by_mi_then_index():
    labels = np.array([0, 0, 1, 1, 0, 1])
    codes = np.column_stack([np.zeros(6), labels, 1 - labels, [0, 1, 0, 1, 0, 1]]).astype(int)
    assert P.top_mi_features(codes, labels, k=2) == [1, 2]


def test_mutual_information_records_params_batched_and_by_hand():
    codes = np.array([[0, 5], [0, 5], [1, 5], [1, 5]])
    follows = np.array([0, 0, 1, 1])  # copies feature 0: I = 1 bit, feature 1: 0 -> mean 0.5
    constant = np.array([1, 1, 1, 1])
    assert P.mutual_information_records_params(codes, follows) == pytest.approx(0.5)
    assert P.mutual_information_records_params(codes, constant) == pytest.approx(0.0)
    batch = P.mutual_information_records_params(codes, np.stack([follows, constant]))
    assert batch.tolist() == pytest.approx([0.5, 0.0])


def test_mia_indistinguishability_deviation_by_hand():
    # members predict [1,1,1] -> P(0)=(0+1)/(3+2)=0.2, P(1)=0.8
    # non-members predict [0,1,0] -> P(0)=(2+1)/5=0.6, P(1)=0.4
    value = P.mia_indistinguishability_deviation(np.array([1, 1, 1]), np.array([0, 1, 0]))
    assert value == pytest.approx(max(abs(math.log(0.2 / 0.6)), abs(math.log(0.8 / 0.4))))
    same = P.mia_indistinguishability_deviation(np.array([0, 1]), np.array([1, 0]))
    assert same == pytest.approx(0.0)
    # zero counts stay finite thanks to the smoothing
    assert math.isfinite(P.mia_indistinguishability_deviation(np.ones(5), np.zeros(5)))
    batch = P.mia_indistinguishability_deviation(
        np.array([[1, 1, 1], [0, 1, 0]]), np.array([[0, 1, 0], [1, 0, 1]])
    )
    assert batch[0] == pytest.approx(value)


def test_group_fairness_by_hand_and_edge_cases():
    group = np.array([True, True, False, False])
    predictions = np.array([1, 1, 1, 0])
    # g1: P(1)=1, P(0)=0; g0: P(1)=0.5, P(0)=0.5 -> (0.5 + 0.5) / 2
    assert P.group_fairness(predictions, group) == pytest.approx(0.5)
    assert P.group_fairness(np.ones(4, int), group) == 0.0  # constant predictor is fair
    assert np.isnan(P.group_fairness(predictions, np.zeros(4, bool)))  # empty group
    batch = P.group_fairness(np.stack([predictions, np.ones(4, int)]), group)
    assert batch.tolist() == pytest.approx([0.5, 0.0])


def test_predictive_fairness_by_hand_and_edge_cases():
    group = np.array([True, True, True, False, False, False])
    labels = np.array([1, 1, 0, 1, 1, 0])
    predictions = np.array([1, 0, 0, 1, 1, 1])
    # class 1: g1 TPR 1/2, g0 2/2 -> 0.5; class 0: g1 1/1, g0 0/1 -> 1; mean 0.75
    assert P.predictive_fairness(predictions, labels, group) == pytest.approx(0.75)
    assert P.predictive_fairness(labels, labels, group) == 0.0  # a perfect classifier
    # class 0 missing from g0: only the class-1 term is defined
    labels_b = np.array([1, 1, 0, 1, 1, 1])
    assert P.predictive_fairness(predictions, labels_b, group) == pytest.approx(0.5)
    assert np.isnan(P.predictive_fairness(predictions, labels, np.zeros(6, bool)))


def test_individual_fairness_by_hand():
    probabilities = np.array([[0.9, 0.1], [0.5, 0.5], [0.5, 0.5]])
    record_prob = np.array([0.2, 0.2, 0.6])
    pairs = (np.array([0, 1]), np.array([1, 2]))
    # pair (0,1): tv = (0.4+0.4)/2 = 0.4, d = 0 -> 0.4; pair (1,2): tv = 0, d = 0.4 -> 0.4
    assert P.individual_fairness(probabilities, record_prob, pairs) == pytest.approx(0.4)
    batch = P.individual_fairness(np.stack([probabilities, probabilities]), record_prob, pairs)
    assert batch.tolist() == pytest.approx([0.4, 0.4])
    # a constant predictor on records of equal probability is perfectly fair
    flat = np.full((3, 2), 0.5)
    assert P.individual_fairness(flat, np.full(3, 0.3), pairs) == 0.0


def test_record_probabilities_and_pairs():
    codes = np.array([[1, 1], [1, 1], [0, 1], [1, 1]])
    assert P.record_probabilities(codes).tolist() == [0.75, 0.75, 0.25, 0.75]
    i, j = P.sample_pairs(5, 1000, np.random.default_rng(0))
    assert (i != j).all() and i.max() < 5 and j.max() < 5
    with pytest.raises(ValueError):
        P.sample_pairs(1, 3, np.random.default_rng(0))


def test_generalization_gap():
    assert P.generalization_gap(0.9, 0.7) == pytest.approx(0.2)
    assert P.generalization_gap(np.array([0.8]), np.array([0.8])).tolist() == [0.0]


def test_thousand_models_are_measured_in_one_vectorised_call():
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 10, (2000, 14))
    predictions = rng.integers(0, 2, (1000, 2000))
    values = P.mutual_information_records_params(codes, predictions)
    assert values.shape == (1000,)
    assert values[7] == pytest.approx(P.mutual_information_records_params(codes, predictions[7]))
