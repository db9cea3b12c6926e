// Serve:      dotnet run -c Release --project Samples/DigitService -- --model runs/<run>/model.zip [--engines pool|per-request] [--urls http://127.0.0.1:5000]
// On ONNX:    dotnet run -c Release --project Samples/DigitService -- --onnx digits.onnx   (exported with: export runs/<run>/model.zip --onnx digits.onnx)
// Load test:  dotnet run -c Release --project Samples/DigitService -- --model runs/<run>/model.zip --load-test 5000 [--concurrency 32]
using MLToolkit.Samples.DigitService;

int loadTest = Array.IndexOf(args, "--load-test");
if (loadTest >= 0 && loadTest + 1 < args.Length)
{
    int concurrency = Array.IndexOf(args, "--concurrency") is var c and >= 0 && c + 1 < args.Length ? int.Parse(args[c + 1]) : 32;
    int model = Array.IndexOf(args, "--model");
    return await LoadTest.RunAsync(model >= 0 ? args[model + 1] : throw new ArgumentException("Pass --model <model.zip>."), int.Parse(args[loadTest + 1]), concurrency);
}
try
{
    DigitApp.Create(args).Run();
    return 0;
}
catch (Exception e) when (e is FileNotFoundException or InvalidDataException or ArgumentException)
{
    // A missing, damaged or unsuitable model: one line and exit code 1, not an unhandled exception.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
