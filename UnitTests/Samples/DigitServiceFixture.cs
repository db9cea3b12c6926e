using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;
using MLToolkit.Samples.DigitService;

namespace MLToolkit.UnitTests.Samples;

/// <summary>Trains a small MNIST model, saves it, and serves it with the DigitService sample on 127.0.0.1 (a free port).</summary>
public sealed class DigitServiceFixture : IAsyncLifetime
{
    WebApplication? _app;

    /// <summary>The context the model was trained in.</summary>
    public MLContext ML { get; } = new(seed: 7);

    /// <summary>The trained pipeline, in process, to compare the service with.</summary>
    public ITransformer Model { get; private set; } = null!;

    /// <summary>The saved model file the service loaded.</summary>
    public string ModelPath { get; private set; } = "";

    /// <summary>A client for the service's base address.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>The service's base address, e.g. http://127.0.0.1:41234.</summary>
    public Uri Address { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var train = TestData.Train(ML, 5000);
        Model = ML.Transforms.Conversion.MapValueToKey("Label")
            .Append(ML.MulticlassClassification.Trainers.Cnn(new CnnOptions { Epochs = 2, BatchSize = 50 }))
            .Append(ML.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        ModelPath = Path.Combine(TestData.TempDirectory(), "model.zip");
        ML.Model.Save(Model, train.Schema, ModelPath);

        _app = DigitApp.Create(["--model", ModelPath, "--urls", "http://127.0.0.1:0"]);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address);
        Client = new HttpClient { BaseAddress = Address };
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
    }
}
