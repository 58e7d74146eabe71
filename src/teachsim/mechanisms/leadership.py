"""Teacher leaders: who fills a grade team's leader posts each year, and how skilled the
facilitation of the team's collaboration is.

Posts go to the team's eligible teachers judged most effective. Principals judge
practice with noise (``Leadership.selection_noise``), so the best teacher is not always
chosen; a post with no eligible teacher stays empty and its team collaborates without a
facilitator.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Leadership


def eligible(homeroom: np.ndarray, experience: np.ndarray, willingness: np.ndarray,
             interested: np.ndarray, has_posts: np.ndarray, min_experience: int,
             p: Leadership) -> np.ndarray:
    """Who may lead: homeroom teachers with at least ``min_experience`` years, willing
    to collaborate (``p.min_willingness``), interested in leading, in a school with
    leader posts."""
    return (homeroom & (experience >= min_experience) & (willingness >= p.min_willingness)
            & interested & has_posts)


def choose(judged: np.ndarray, eligible: np.ndarray, team: np.ndarray, posts: np.ndarray
           ) -> np.ndarray:
    """Rows chosen to lead: in each team, the eligible teachers with the highest
    ``judged`` practice, as many as ``posts`` (the posts of each row's team)."""
    order = np.lexsort((-judged, team))  # by team, best first
    cand = order[eligible[order]]
    team_c = team[cand]
    first = np.r_[0, np.flatnonzero(np.diff(team_c)) + 1]
    rank = np.arange(len(cand)) - np.repeat(first, np.diff(np.r_[first, len(cand)]))
    return cand[rank < posts[cand]]


def skill(practice: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """A leader's skill (0-1): the share of the district's teachers whose practice is
    below theirs."""
    return np.searchsorted(np.sort(practice), practice[chosen]) / max(len(practice), 1)


def team_skill(team_of_leader: np.ndarray, leader_skill: np.ndarray, n_teams: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Each team's facilitation skill (the mean of its leaders', with several) and whether
    it has a leader at all."""
    count = np.bincount(team_of_leader, minlength=n_teams)
    mean = np.bincount(team_of_leader, weights=leader_skill, minlength=n_teams) / np.maximum(
        count, 1)
    return mean, count > 0
