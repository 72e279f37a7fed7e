// Each run mostly waits on quiet windows; two at a time fills two shared cores without starving them.
[assembly: Parallelizable(ParallelScope.Children)]
[assembly: LevelOfParallelism(2)]
