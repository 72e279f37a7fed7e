using System.Text.Json;
using Dukaan.Contract;

namespace Dukaan.Simulator.Chat;

public enum BubbleKind { BuyerMessage, Reply, Push }

/// <summary>One bubble as the buyer's chat shows it. A replaced bubble keeps its place and counts its edits.</summary>
public sealed record ChatBubble(
    string Id,
    BubbleKind Kind,
    string? Text,
    JsonElement? Blocks,
    string? Note,
    string? ReplyTo,
    string? ClientMsgId,
    string? Category,
    string? FileName,
    DateTimeOffset At,
    int Edits,
    IReadOnlyList<string> EarlierTexts,
    bool Hidden);

/// <summary>What the platform did with a reply.</summary>
public enum ReplyEffect { Appended, Edited, NothingToReplace, Duplicate }

/// <summary>What the platform did with a push, in the order it decides.</summary>
public enum PushEffect { Delivered, Duplicate, Unavailable, Muted, OverQuota }

/// <summary>
/// One subscription's in-app conversation as the platform keeps it: the bubbles the buyer sees, the durable state blob,
/// the buyer's mute, the push quota and opt-in. Guarded by its own lock, like <see cref="Subscription"/>.
/// </summary>
public sealed class ChatConversation
{
    private readonly Lock _gate = new();
    private readonly List<ChatBubble> _bubbles = [];
    private readonly Dictionary<string, byte[]> _lastReplyBody = new(StringComparer.Ordinal);
    private readonly HashSet<string> _clientMsgIds = new(StringComparer.Ordinal);
    private readonly List<DateTimeOffset> _deliveredPushes = [];
    private int _pushFailuresToInject;
    private int _counter;

    public ChatConversation(ChatManifest? manifest)
    {
        Manifest = manifest;
        ProactiveEnabled = manifest?.Proactive is { Enabled: true };
        MaxPerDay = manifest?.Proactive?.MaxPerDay ?? ProactiveManifest.DefaultMaxPerDay;
    }

    /// <summary>The listing's chat manifest; null when the listing declares no chat.</summary>
    public ChatManifest? Manifest { get; }
    public bool Muted { get; private set; }
    public bool ProactiveEnabled { get; private set; }
    public int MaxPerDay { get; private set; }
    public JsonElement? State { get; private set; }
    public DateTimeOffset? StateUpdatedAt { get; private set; }

    public IReadOnlyList<ChatBubble> Bubbles { get { lock (_gate) return [.. _bubbles]; } }

    /// <summary>The capabilities a relay announces now; <paramref name="rendererBlocks"/> narrows them as an older renderer would.</summary>
    public ChatPlatform Platform(IReadOnlyList<string>? rendererBlocks = null, int? capsVersion = null)
    {
        lock (_gate)
        {
            var manifest = Manifest ?? new ChatManifest([], [], null);
            var platform = manifest.Negotiate(ProactiveEnabled, rendererBlocks, capsVersion ?? ChatBlockKit.CapsVersion);
            return platform with { Proactive = platform.Proactive with { MaxPerDay = MaxPerDay } };
        }
    }

    public void SetMuted(bool muted) { lock (_gate) Muted = muted; }

    public void SetProactive(bool enabled) { lock (_gate) ProactiveEnabled = enabled; }

    public void SetMaxPerDay(int maxPerDay) { lock (_gate) MaxPerDay = maxPerDay; }

    public void InjectPushFailures(int count) { lock (_gate) _pushFailuresToInject = count; }

    public string NextId(string prefix) { lock (_gate) return $"{prefix}_{++_counter:D4}"; }

    public void AddBuyerMessage(string messageId, string text, string? fileName, DateTimeOffset at)
    {
        lock (_gate) _bubbles.Add(new ChatBubble(messageId, BubbleKind.BuyerMessage, text, null, null, null, null, null, fileName, at, 0, [], false));
    }

    /// <summary>
    /// A reply: the same bytes for the same replyTo collapse to one bubble (002 §6.1); replace edits the agent's latest
    /// bubble for that replyTo, and with nothing to replace it is appended (the rule that judges it reads the effect).
    /// </summary>
    public ReplyEffect AddReply(string? text, JsonElement? blocks, string? replyTo, bool replace, byte[] raw, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (replyTo is not null && _lastReplyBody.TryGetValue(replyTo, out var earlier) && earlier.AsSpan().SequenceEqual(raw)) return ReplyEffect.Duplicate;
            if (replyTo is not null) _lastReplyBody[replyTo] = raw;
            if (replace && replyTo is not null && _bubbles.FindLastIndex(b => b.Kind == BubbleKind.Reply && b.ReplyTo == replyTo) is var index and >= 0)
            {
                var old = _bubbles[index];
                _bubbles[index] = old with { Text = text, Blocks = blocks, Edits = old.Edits + 1, EarlierTexts = [.. old.EarlierTexts, old.Text ?? ""] };
                return ReplyEffect.Edited;
            }
            _bubbles.Add(new ChatBubble($"bub_{++_counter:D4}", BubbleKind.Reply, text, blocks, null, replyTo, null, null, null, at, 0, [], false));
            return replace ? ReplyEffect.NothingToReplace : ReplyEffect.Appended;
        }
    }

    /// <summary>
    /// A push the endpoint has authenticated and validated. A re-POSTed clientMsgId is a no-op; a muted conversation
    /// swallows the push as delivered (002 §6.3); the quota counts pushes delivered in the current UTC day.
    /// </summary>
    public PushEffect TryPush(string clientMsgId, string? text, JsonElement? blocks, string? note, string category, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_clientMsgIds.Contains(clientMsgId)) return PushEffect.Duplicate;
            if (_pushFailuresToInject > 0)
            {
                _pushFailuresToInject--;
                return PushEffect.Unavailable;
            }
            if (Muted)
            {
                _clientMsgIds.Add(clientMsgId);
                _bubbles.Add(new ChatBubble($"bub_{++_counter:D4}", BubbleKind.Push, text, blocks, note, null, clientMsgId, category, null, now, 0, [], true));
                return PushEffect.Muted;
            }
            var today = now.UtcDateTime.Date;
            if (_deliveredPushes.Count(p => p.UtcDateTime.Date == today) >= MaxPerDay) return PushEffect.OverQuota;
            _clientMsgIds.Add(clientMsgId);
            _deliveredPushes.Add(now);
            _bubbles.Add(new ChatBubble($"bub_{++_counter:D4}", BubbleKind.Push, text, blocks, note, null, clientMsgId, category, null, now, 0, [], false));
            return PushEffect.Delivered;
        }
    }

    public void SaveState(JsonElement state, DateTimeOffset at)
    {
        lock (_gate) { State = state.Clone(); StateUpdatedAt = at; }
    }
}
