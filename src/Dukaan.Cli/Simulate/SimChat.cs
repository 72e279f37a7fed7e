using Dukaan.Cli.Configuration;
using Dukaan.Contract;

namespace Dukaan.Cli.Simulate;

/// <summary>The chat manifest `simulate` gives its conversations, and where it came from (for the banner).</summary>
public sealed record SimChat(ChatManifest? Manifest, string Source)
{
    /// <summary>
    /// --chat wins; else the settings file certify would read (--config, or ./dukaan-conformance.json when present).
    /// A bad settings file is a <see cref="ConfigFileException"/>, as for certify: the seller fixes one file for both.
    /// </summary>
    public static SimChat Resolve(bool chatFlag, string? configFlag)
    {
        if (chatFlag) return new(BundledAgent.Chat, "--chat: the reference agent's manifest");
        var path = configFlag ?? ConfigFileLoader.Find(Directory.GetCurrentDirectory());
        if (path is null) return new(null, $"no --chat, and no {ConfigFile.FileName} here");
        var file = ConfigFileLoader.Load(path);
        return file.Listing?.ToProfile().Chat is { } manifest
            ? new(manifest, $"listing.capabilities in {file.ShownPath}")
            : new(null, $"{file.ShownPath} has no listing.capabilities");
    }
}
