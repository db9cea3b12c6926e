// dotnet run -c Release --project Samples/DigitService -- --model runs/<run>/model.zip [--engines pool|per-request] [--urls http://127.0.0.1:5000]
MLToolkit.Samples.DigitService.DigitApp.Create(args).Run();
