// Trainings in one process take turns anyway (see CnnOptions.Seed); on two cores, running test classes at
// once would only add contention to the child processes and the kernel some tests start.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
