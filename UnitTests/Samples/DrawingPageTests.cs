using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLToolkit.UnitTests.Samples;

/// <summary>
/// The DigitService drawing page in headless Chromium, driven through chromedriver's WebDriver
/// protocol: a real pointer stroke on the canvas must bring a prediction and ten probability bars.
/// Needs the Debian packages chromium and chromium-driver (.ci/run installs them).
/// </summary>
public class DrawingPageTests(DigitServiceFixture service) : IClassFixture<DigitServiceFixture>
{
    const string ElementKey = "element-6066-11e4-a52e-4f735466cecf";

    static string Find(params string[] names) =>
        names.SelectMany(n => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, n)))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{names[0]} is not installed: apt-get install chromium chromium-driver (.ci/run does this).");

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task Drawing_a_stroke_shows_a_prediction_with_probability_bars()
    {
        var browser = Find("chromium", "chromium-browser", "google-chrome");
        var driverPath = Find("chromedriver");
        int port = FreePort();
        using var driver = Process.Start(new ProcessStartInfo(driverPath, [$"--port={port}"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        driver.OutputDataReceived += (_, _) => { };
        driver.ErrorDataReceived += (_, _) => { };
        driver.BeginOutputReadLine();
        driver.BeginErrorReadLine();
        try
        {
            // chromedriver listens on "localhost", which may be ::1 only.
            using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
            for (int i = 0; i < 100; i++)
            {
                try { if ((await http.GetAsync("status")).IsSuccessStatusCode) break; }
                catch (HttpRequestException) { }
                await Task.Delay(100);
            }

            async Task<JsonNode?> Send(HttpMethod method, string path, object? body = null)
            {
                // A string body has a Content-Length; chromedriver's server does not read chunked bodies.
                using var request = new HttpRequestMessage(method, path)
                {
                    Content = body is null ? null : new StringContent(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json"),
                };
                var response = await http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.IsSuccessStatusCode, $"WebDriver {method} {path}: {text}");
                return JsonNode.Parse(text)?["value"];
            }

            var session = await Send(HttpMethod.Post, "session", new
            {
                capabilities = new
                {
                    alwaysMatch = new Dictionary<string, object>
                    {
                        ["browserName"] = "chrome",
                        ["goog:chromeOptions"] = new
                        {
                            binary = browser,
                            // A profile in the test's scratch folder, so none is left in /tmp.
                            args = new[] { "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", $"--user-data-dir={TestData.TempDirectory()}" },
                        },
                    },
                },
            });
            var id = session!["sessionId"]!.GetValue<string>();
            try
            {
                await Send(HttpMethod.Post, $"session/{id}/url", new { url = service.Address.ToString() });
                var canvas = await Send(HttpMethod.Post, $"session/{id}/element", new { @using = "css selector", value = "#pad" });
                var element = new Dictionary<string, string> { [ElementKey] = canvas![ElementKey]!.GetValue<string>() };

                // A "1": one vertical stroke through the middle of the canvas, as a mouse would draw it.
                var moves = new List<object> { new { type = "pointerMove", duration = 0, origin = element, x = 0, y = -90 }, new { type = "pointerDown", button = 0 } };
                for (int y = -80; y <= 90; y += 10) moves.Add(new { type = "pointerMove", duration = 20, origin = element, x = 0, y });
                moves.Add(new { type = "pointerUp", button = 0 });
                await Send(HttpMethod.Post, $"session/{id}/actions", new
                {
                    actions = new[] { new { type = "pointer", id = "mouse", parameters = new { pointerType = "mouse" }, actions = moves } },
                });

                string label = "–";
                int bars = 0;
                for (int i = 0; i < 100 && (label == "–" || bars < 10); i++)
                {
                    await Task.Delay(100);
                    label = (await Send(HttpMethod.Post, $"session/{id}/execute/sync",
                        new { script = "return document.getElementById('label').textContent", args = Array.Empty<object>() }))!.GetValue<string>();
                    bars = (await Send(HttpMethod.Post, $"session/{id}/execute/sync",
                        new { script = "return document.querySelectorAll('.bar').length", args = Array.Empty<object>() }))!.GetValue<int>();
                }
                Assert.Equal(10, bars);
                Assert.Equal("1", label);
                // MLTOOLKIT_SCREENSHOT=<file.png> keeps a picture of the page (README's screenshot comes from here).
                if (Environment.GetEnvironmentVariable("MLTOOLKIT_SCREENSHOT") is { Length: > 0 } screenshot)
                    File.WriteAllBytes(screenshot, Convert.FromBase64String((await Send(HttpMethod.Get, $"session/{id}/screenshot"))!.GetValue<string>()));
            }
            finally
            {
                await Send(HttpMethod.Delete, $"session/{id}");
            }
        }
        finally
        {
            driver.Kill(entireProcessTree: true);
        }
    }
}
