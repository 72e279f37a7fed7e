// Four certifications at a time on two cores: a run (CLI + agent) uses about 0.4 of a core over its wall time (4 s of
// CPU in 10 s), and the newer tables (sender backoff, chat quiet windows, the platform's compressed clock) mostly wait,
// so four keep both cores busy; three left the suite at 12 min of mostly idle waiting.
[assembly: LevelOfParallelism(4)]
