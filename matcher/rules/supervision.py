"""The supervision graph: who is above whom.

Rule 5 of the contract keeps a coach from coaching anyone they supervise — directly, or under
``supervisor_conflict = "chain"`` anywhere up the reporting line. Reporting lines come from
``org.csv`` and from each candidate's own ``person_id → supervisor_id``; together they form a
directed graph (edges point upward, person → supervisor) that must be acyclic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx


@dataclass(frozen=True)
class ReportingLine:
    """One edge: ``person_id`` reports to ``supervisor_id``, as read at ``file`` row ``row``."""

    person_id: str
    supervisor_id: str
    file: str
    row: int


def supervision_graph(lines: Iterable[ReportingLine]) -> nx.DiGraph:
    """A DiGraph person → supervisor; each edge remembers where it was read."""
    graph = nx.DiGraph()
    for line in lines:
        if line.person_id and line.supervisor_id:
            graph.add_edge(line.person_id, line.supervisor_id, file=line.file, row=line.row)
    return graph


def reporting_cycle(graph: nx.DiGraph) -> list[tuple[str, str, str, int]] | None:
    """The edges of one cycle (person, supervisor, file, row), or ``None`` if there is none."""
    if nx.is_directed_acyclic_graph(graph):  # the usual case, and much faster to confirm
        return None
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return None
    return [(a, b, graph.edges[a, b]["file"], graph.edges[a, b]["row"]) for a, b, *_ in cycle]


def people_above(graph: nx.DiGraph) -> dict[str, frozenset[str]]:
    """For every person in the graph, everyone reachable upward.

    Computed once for the whole graph in reverse topological order (supervisors before their
    staff), so each person's set is its supervisors' sets joined: linear in the graph's size
    times the chain length, which stays small in real organisations.
    """
    above: dict[str, frozenset[str]] = {}
    for person in reversed(list(nx.topological_sort(graph))):
        bosses = list(graph.successors(person))
        if not bosses:
            above[person] = frozenset()
        elif len(bosses) == 1:
            above[person] = above[bosses[0]] | {bosses[0]}
        else:
            above[person] = frozenset().union(*(above[b] | {b} for b in bosses))
    return above
