using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.ML;
using MLToolkit.UnitTests.Datasets;
using MLToolkit.UnitTests.Persistence;

namespace MLToolkit.UnitTests.Samples;

/// <summary>The DigitService sample over real HTTP: health, predictions from pixels and PNG uploads, clear 400s, concurrency.</summary>
public class DigitServiceTests(DigitServiceFixture service) : IClassFixture<DigitServiceFixture>
{
    sealed record PredictionBody(string Label, Dictionary<string, float> Probabilities);

    (DigitInput[] Inputs, uint[] Expected) TestDigits(int count)
    {
        var test = TestData.Test(service.ML, count);
        var inputs = service.ML.Data.CreateEnumerable<DigitInput>(test, reuseRowObject: false).ToArray();
        var expected = service.Model.Transform(test).GetColumn<uint>("PredictedLabel").ToArray();
        return (inputs, expected);
    }

    /// <summary>The in-process model's probabilities of the first <paramref name="count"/> test digits, by class name as the service names them.</summary>
    Dictionary<string, float>[] InProcessProbabilities(int count)
    {
        var scored = service.Model.Transform(TestData.Test(service.ML, count));
        var classes = MLToolkit.Trainers.Scoring.KeyValues.FromColumn(scored.Schema["Label"])!.Values;
        return scored.GetColumn<float[]>("Score")
            .Select(score => classes.Select((name, i) => (name, i)).ToDictionary(c => c.name, c => score[c.i]))
            .ToArray();
    }

    /// <summary>The service's answer carries the in-process model's probabilities, class by class, within 1e-5.</summary>
    static void AssertSameProbabilities(Dictionary<string, float> expected, PredictionBody answer)
    {
        Assert.Equal(expected.Keys.Order(), answer.Probabilities.Keys.Order());
        foreach (var (name, probability) in expected)
            Assert.True(Math.Abs(probability - answer.Probabilities[name]) <= 1e-5f,
                $"class {name}: {answer.Probabilities[name]} over HTTP, {probability} in process");
    }

    async Task<PredictionBody> PredictJson(float[] pixels)
    {
        var response = await service.Client.PostAsJsonAsync("/predict", new { pixels });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PredictionBody>(JsonSerializerOptions.Web))!;
    }

    [Fact]
    public async Task Health_reports_ok_and_the_model()
    {
        using var body = JsonDocument.Parse(await service.Client.GetStringAsync("/health"));
        Assert.Equal("ok", body.RootElement.GetProperty("status").GetString());
        Assert.Equal(service.ModelPath, body.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Pixels_as_json_get_the_models_label_and_probabilities()
    {
        var (inputs, expected) = TestDigits(100);
        int correct = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            var prediction = await PredictJson(inputs[i].Image);
            Assert.Equal(expected[i].ToString(), prediction.Label);
            Assert.Equal(10, prediction.Probabilities.Count);
            Assert.Equal(1f, prediction.Probabilities.Values.Sum(), 3);
            if (prediction.Label == inputs[i].Label.ToString()) correct++;
        }
        Assert.True(correct >= 85, $"{correct} of 100 real MNIST test digits labelled correctly");
    }

    [Fact]
    public async Task Png_upload_gets_the_same_answer_as_its_pixels()
    {
        var (inputs, expected) = TestDigits(5);
        for (int i = 0; i < inputs.Length; i++)
        {
            var path = Path.Combine(TestData.TempDirectory(), "digit.png");
            var image = inputs[i].Image;
            PngWriter.Write(path, 28, 28, (x, y) => (byte)MathF.Round(image[y * 28 + x] * 255));
            using var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(path)), "image", "digit.png" } };
            var response = await service.Client.PostAsync("/predict", form);
            response.EnsureSuccessStatusCode();
            var prediction = (await response.Content.ReadFromJsonAsync<PredictionBody>(JsonSerializerOptions.Web))!;
            Assert.Equal(expected[i].ToString(), prediction.Label);
        }
    }

    [Fact]
    public async Task Bad_requests_get_400_with_a_clear_message()
    {
        using var text = new MultipartFormDataContent { { new StringContent("hello"), "image", "notes.png" } };
        var notImage = await service.Client.PostAsync("/predict", text);
        Assert.Equal(HttpStatusCode.BadRequest, notImage.StatusCode);
        Assert.Contains("not a PNG or JPEG image", await notImage.Content.ReadAsStringAsync());

        var wrongLength = await service.Client.PostAsJsonAsync("/predict", new { pixels = new float[100] });
        Assert.Equal(HttpStatusCode.BadRequest, wrongLength.StatusCode);
        Assert.Contains("Expected 784 pixel values (28×28), got 100", await wrongLength.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Two_hundred_concurrent_requests_are_all_answered_correctly()
    {
        var (inputs, expected) = TestDigits(50);
        var probabilities = InProcessProbabilities(50);
        var requests = Enumerable.Range(0, 200).Select(async i => (i, await PredictJson(inputs[i % 50].Image)));
        var answers = await Task.WhenAll(requests);
        Assert.All(answers, a => Assert.Equal(expected[a.i % 50].ToString(), a.Item2.Label));
        Assert.All(answers, a => AssertSameProbabilities(probabilities[a.i % 50], a.Item2));
    }

    [Fact]
    public async Task Per_request_engines_answer_concurrent_requests_too()
    {
        var (inputs, expected) = TestDigits(20);
        await using var app = MLToolkit.Samples.DigitService.DigitApp.Create(["--model", service.ModelPath, "--engines", "per-request", "--urls", "http://127.0.0.1:0"]);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            var response = await client.PostAsJsonAsync("/predict", new { pixels = inputs[i % 20].Image });
            response.EnsureSuccessStatusCode();
            return (i, Answer: (await response.Content.ReadFromJsonAsync<PredictionBody>(JsonSerializerOptions.Web))!);
        }));
        var probabilities = InProcessProbabilities(20);
        Assert.All(answers, a => Assert.Equal(expected[a.i % 20].ToString(), a.Answer.Label));
        Assert.All(answers, a => AssertSameProbabilities(probabilities[a.i % 20], a.Answer));
        await app.StopAsync();
    }

    /// <summary>A PNG whose header declares <paramref name="width"/>×<paramref name="height"/> pixels (a decompression bomb needs nothing more to be refused).</summary>
    static byte[] PngHeader(int width, int height)
    {
        var bytes = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' };
        foreach (var value in new[] { width, height }) bytes.AddRange([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
        bytes.AddRange([8, 0, 0, 0, 0, 0, 0, 0, 0]);
        bytes.AddRange(new byte[400_000]); // about the size of the real 20000×20000 bomb
        return [.. bytes];
    }

    [Fact]
    public async Task An_image_declaring_too_many_pixels_is_refused_from_its_header_with_413()
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(PngHeader(20000, 20000)), "image", "bomb.png" } };
        var response = await service.Client.PostAsync("/predict", form);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("20000×20000", body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_oversized_body_gets_413_with_the_json_error_shape()
    {
        using var content = new ByteArrayContent(new byte[MLToolkit.Samples.DigitService.DigitApp.MaxBodyBytes + 1024 * 1024]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        // As curl and browsers send big uploads: "Expect: 100-continue", so the refusal arrives before the body is sent.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = content };
        request.Headers.ExpectContinue = true;
        var response = await service.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("over 8 MB", body.RootElement.GetProperty("error").GetString());
    }

    /// <summary>Starts the DigitService program as a user does and returns its exit code and standard error.</summary>
    static (int Exit, string Error) StartService(params string[] args)
    {
        var host = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "DigitService.exe" : "DigitService");
        var start = new System.Diagnostics.ProcessStartInfo(host, [.. args, "--urls", "http://127.0.0.1:0"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(120_000)) { process.Kill(); Assert.Fail("the service started instead of refusing its model"); }
        return (process.ExitCode, error + output.Result);
    }

    [Fact]
    public void A_missing_corrupt_or_unsuitable_model_is_refused_at_start_with_one_line()
    {
        var folder = TestData.TempDirectory();
        var missing = StartService("--model", Path.Combine(folder, "none.zip"));
        Assert.Equal(1, missing.Exit);
        Assert.Contains("not found", missing.Error);
        Assert.DoesNotContain("Unhandled", missing.Error);

        var corrupt = Path.Combine(folder, "corrupt.zip");
        File.WriteAllBytes(corrupt, [.. File.ReadAllBytes(service.ModelPath).Take(5000)]);
        var damaged = StartService("--model", corrupt);
        Assert.Equal(1, damaged.Exit);
        Assert.Contains("cannot be loaded", damaged.Error);
        Assert.DoesNotContain("Unhandled", damaged.Error);

        // A valid ML.NET model that does not take 28×28 digits.
        var ml = new Microsoft.ML.MLContext(seed: 1);
        var rows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(i => new TenValues { Pixels = new float[10] }));
        var other = Path.Combine(folder, "other.zip");
        ml.Model.Save(ml.Transforms.CopyColumns("Features", "Pixels").Fit(rows), rows.Schema, other);
        var unsuitable = StartService("--model", other);
        Assert.Equal(1, unsuitable.Exit);
        Assert.Contains("28×28 grey digits", unsuitable.Error);
    }

    [Theory]
    [InlineData("pool")]
    [InlineData("per-request")]
    public async Task With_onnx_the_service_answers_from_the_exported_file_as_the_model_does(string engines)
    {
        // The saved model exported as a user does, served on ONNX Runtime through ML.NET's ApplyOnnxModel.
        var onnx = Path.Combine(TestData.TempDirectory(), "digits.onnx");
        var (exit, _, error) = MLToolkit.UnitTests.Pipelines.HostCommandTests.Invoke("export", service.ModelPath, "--onnx", onnx);
        Assert.True(exit == 0, error);
        await using var app = MLToolkit.Samples.DigitService.DigitApp.Create(["--onnx", onnx, "--engines", engines, "--urls", "http://127.0.0.1:0"]);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using (var health = JsonDocument.Parse(await client.GetStringAsync("/health")))
            Assert.Equal("onnx", health.RootElement.GetProperty("backend").GetString());
        var (inputs, expected) = TestDigits(50);
        var probabilities = InProcessProbabilities(50);
        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            var response = await client.PostAsJsonAsync("/predict", new { pixels = inputs[i % 50].Image });
            response.EnsureSuccessStatusCode();
            return (i, Answer: (await response.Content.ReadFromJsonAsync<PredictionBody>(JsonSerializerOptions.Web))!);
        }));
        Assert.All(answers, a => Assert.Equal(expected[a.i % 50].ToString(), a.Answer.Label));
        // ONNX Runtime and libtorch sum in other orders: the 1e-4 instead of the 1e-5 between two TorchSharp paths.
        Assert.All(answers, a =>
        {
            foreach (var (name, probability) in probabilities[a.i % 50])
                Assert.True(Math.Abs(probability - a.Answer.Probabilities[name]) <= 1e-4f, $"class {name}: {a.Answer.Probabilities[name]} on ONNX, {probability} in process");
        });
        await app.StopAsync();
    }

    [Fact]
    public void With_onnx_a_missing_or_foreign_file_is_refused_at_start_with_one_line()
    {
        var folder = TestData.TempDirectory();
        var missing = StartService("--onnx", Path.Combine(folder, "none.onnx"));
        Assert.Equal(1, missing.Exit);
        Assert.Contains("none.onnx' not found", missing.Error);
        var notOnnx = Path.Combine(folder, "model.onnx");
        File.WriteAllText(notOnnx, "not a model");
        var foreign = StartService("--onnx", notOnnx);
        Assert.Equal(1, foreign.Exit);
        Assert.Contains("is not an ONNX model ONNX Runtime can load", foreign.Error);
        Assert.DoesNotContain("Unhandled", foreign.Error);
        var both = StartService("--onnx", notOnnx, "--model", service.ModelPath);
        Assert.Equal(1, both.Exit);
        Assert.Contains("not both", both.Error);
    }

    sealed class TenValues
    {
        [Microsoft.ML.Data.VectorType(10)] public float[] Pixels { get; set; } = [];
    }
}
