using System.Net;
using Dukaan.Simulator.Chat;

namespace Dukaan.Simulator.Tests;

/// <summary>
/// The lying attachment over a real loopback socket: how far an agent read is what DK-CHAT-09 judges, so a reader that
/// hangs up early, one that reads everything and one that stops reading without hanging up must each be told apart.
/// </summary>
public sealed class LyingFilesTests
{
    private static async Task<FileDownload> DownloadAsync(LyingFiles files, string token)
    {
        for (var i = 0; i < 400 && files.DownloadsOf(token).Count == 0; i++) await Task.Delay(25);
        return files.DownloadsOf(token).Single();
    }

    [Test]
    public async Task A_reader_that_closes_after_1_MiB_is_seen_hanging_up_long_before_the_cap()
    {
        using var files = new LyingFiles(new Transcript(), TimeProvider.System);
        var file = files.Add("sub_1");
        using (var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }))
        using (var response = await http.GetAsync(file.Declared.Url, HttpCompletionOption.ResponseHeadersRead))
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"), "the mime lies as the fileRef does");
            var buffer = new byte[64 * 1024];
            long read = 0;
            while (read < 1 << 20) read += await body.ReadAsync(buffer);
        }
        var download = await DownloadAsync(files, file.Token);
        Assert.Multiple(() =>
        {
            Assert.That(download.AgentHungUp, Is.True);
            Assert.That(download.BytesWritten, Is.LessThan(8L << 20), "socket buffers aside, what was written is what was read");
            Assert.That(download.ReachedCap, Is.False);
        });
    }

    [Test]
    public async Task A_reader_that_trusts_nothing_but_the_stream_reads_all_64_MiB()
    {
        using var files = new LyingFiles(new Transcript(), TimeProvider.System);
        var file = files.Add("sub_1");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var bytes = await http.GetByteArrayAsync(file.Declared.Url);
        var download = await DownloadAsync(files, file.Token);
        Assert.Multiple(() =>
        {
            Assert.That(bytes, Has.Length.EqualTo(LyingFiles.Cap));
            Assert.That(bytes.Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "the bytes are no CSV");
            Assert.That(download.ReachedCap, Is.True);
            Assert.That(download.BytesWritten, Is.EqualTo(LyingFiles.Cap));
        });
    }

    [Test]
    public async Task A_reader_that_stops_reading_without_closing_is_seen_as_stalled()
    {
        using var files = new LyingFiles(new Transcript(), TimeProvider.System);
        var file = files.Add("sub_1");
        using var http = new HttpClient();
        using var response = await http.GetAsync(file.Declared.Url, HttpCompletionOption.ResponseHeadersRead);
        var download = await DownloadAsync(files, file.Token);
        Assert.That(download.AgentStoppedReading, Is.True);
        Assert.That(download.BytesWritten, Is.LessThan(16L << 20));
    }

    [Test]
    public async Task An_unknown_attachment_is_a_404_json_error()
    {
        using var files = new LyingFiles(new Transcript(), TimeProvider.System);
        var url = new Uri(files.Add("sub_1").Declared.Url);
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri(url, "/files/f_nope"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("FILE_NOT_FOUND"));
    }
}
