// Three certifications at a time on two cores: a run (CLI + agent) uses about half a core over its wall time (3.7 s of
// CPU in 7 s for the C# reference agent), mostly waiting on its agent, so three keep both cores busy without starving
// the timing rules (the 2 s ACK).
[assembly: LevelOfParallelism(3)]
