// Two certifications at a time: the machine has two cores, and each run mostly waits on its agent.
[assembly: LevelOfParallelism(2)]
