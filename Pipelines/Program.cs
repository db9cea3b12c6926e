using System.CommandLine;
using MLToolkit.Pipelines;

return HostCommand.Create().Parse(args).Invoke();
