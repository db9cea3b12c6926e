using System.Reflection;
using System.Text.Json;

namespace MLToolkit.Samples.DigitService;

/// <summary>The JSON body of <c>POST /predict</c>: 784 grey values in [0, 1], row by row.</summary>
/// <param name="Pixels">The pixels.</param>
public sealed record PixelRequest(float[]? Pixels);

/// <summary>The web app: <c>POST /predict</c>, <c>GET /health</c> and the drawing page at <c>/</c>.</summary>
public static class DigitApp
{
    /// <summary>Builds the app from command-line arguments (<c>--model</c> or <c>--onnx</c>, <c>--engines pool|per-request</c>, <c>--urls</c>).</summary>
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A digit is a few KB; bigger bodies are refused while they are read (413, JSON error, one log line).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxBodyBytes);
        var (zip, onnx) = (builder.Configuration["model"], builder.Configuration["onnx"]);
        if ((zip is null) == (onnx is null))
            throw new ArgumentException("Pass either --model <model.zip> (a model saved by an MLToolkit experiment) or --onnx <model.onnx> (one exported from it), not both.");
        var mode = string.Equals(builder.Configuration["engines"], "per-request", StringComparison.OrdinalIgnoreCase) ? EngineMode.PerRequest : EngineMode.Pool;
        builder.Services.AddSingleton(new DigitModel(zip ?? onnx!, mode, onnx: onnx is not null));
        var app = builder.Build();

        app.MapGet("/health", (DigitModel model) => Results.Ok(new { status = "ok", model = model.Path, engines = model.Mode.ToString(), backend = model.Backend }));
        app.MapPost("/predict", Predict).DisableAntiforgery();
        app.MapGet("/", () => Results.Content(Page.Value, "text/html; charset=utf-8"));
        return app;
    }

    /// <summary>The largest request body accepted: 8 MB.</summary>
    public const long MaxBodyBytes = 8 * 1024 * 1024;

    static readonly Lazy<string> Page = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("index.html")!;
        return new StreamReader(stream).ReadToEnd();
    });

    /// <summary>An uploaded image (multipart field "image", or a raw image/png or image/jpeg body) or JSON pixels.</summary>
    static async Task<IResult> Predict(HttpRequest request, DigitModel model, ILoggerFactory logs)
    {
        float[] pixels;
        try
        {
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync();
                var file = form.Files.GetFile("image") ?? form.Files.FirstOrDefault();
                if (file is null) return Problem("Send the image as a multipart field named 'image'.");
                using var buffer = new MemoryStream();
                await file.CopyToAsync(buffer);
                pixels = DigitImage.ToPixels(buffer.ToArray());
            }
            else if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
            {
                var body = await JsonSerializer.DeserializeAsync<PixelRequest>(request.Body, JsonSerializerOptions.Web);
                if (body?.Pixels is not { } values) return Problem("Send JSON {\"pixels\": [784 numbers]}.");
                if (values.Length != 784) return Problem($"Expected 784 pixel values (28×28), got {values.Length}.");
                if (values.Any(v => !float.IsFinite(v) || v < 0 || v > 1)) return Problem("Pixel values must be numbers in [0, 1].");
                pixels = values;
            }
            else
            {
                using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer);
                pixels = DigitImage.ToPixels(buffer.ToArray());
            }
        }
        catch (ImageTooLargeException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        catch (InvalidDataException e)
        {
            return Problem(e.Message);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            logs.CreateLogger("DigitService").LogWarning("Refused a request body over {Limit:N0} bytes.", MaxBodyBytes);
            return Results.Json(new { error = $"The request body is over {MaxBodyBytes / (1024 * 1024)} MB; send one image of a digit." },
                statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        catch (JsonException e)
        {
            return Problem($"The JSON body is not valid: {e.Message}");
        }
        return Results.Ok(model.Predict(pixels));
    }

    static IResult Problem(string message) => Results.BadRequest(new { error = message });
}
