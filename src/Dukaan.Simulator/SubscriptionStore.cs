using System.Collections.Concurrent;

namespace Dukaan.Simulator;

public sealed class SubscriptionStore
{
    private readonly ConcurrentDictionary<string, Subscription> _byId = new(StringComparer.Ordinal);

    public bool TryAdd(Subscription subscription) => _byId.TryAdd(subscription.Id, subscription);

    public Subscription? Find(string id) => _byId.GetValueOrDefault(id);

    public IReadOnlyList<Subscription> All => [.. _byId.Values.OrderBy(s => s.Id, StringComparer.Ordinal)];

    /// <summary>Which subscription a provider key belongs to, and whether it is that subscription's current key.</summary>
    public (Subscription Owner, bool Current)? FindByProviderKey(string key)
    {
        foreach (var s in _byId.Values)
            if (s.TryMatchProviderKey(key, out var current)) return (s, current);
        return null;
    }
}
