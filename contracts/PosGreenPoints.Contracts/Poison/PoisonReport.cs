namespace PosGreenPoints.Contracts.Poison;

/// <summary>The body of <c>GET /api/v1/admin/poison</c>: the messages that failed processing, per poison queue.</summary>
/// <param name="Queues">Every poison queue, empty ones included.</param>
public sealed record PoisonReport(IReadOnlyList<PoisonQueueView> Queues);

/// <summary>One poison queue and its oldest messages.</summary>
/// <param name="Queue">The poison queue's name, <c>{queue}-poison</c>.</param>
/// <param name="Count">The messages in the queue (approximate, as storage counts them).</param>
/// <param name="Oldest">The oldest messages, oldest first; a sample, not all of them.</param>
public sealed record PoisonQueueView(string Queue, int Count, IReadOnlyList<PoisonMessageView> Oldest);

/// <summary>A message that failed processing.</summary>
/// <param name="InsertedAt">When it was moved to the poison queue.</param>
/// <param name="DequeueCount">How often it was delivered.</param>
/// <param name="Reason">Why processing gave up, when known.</param>
/// <param name="Text">The message's text, when it is safe to show.</param>
public sealed record PoisonMessageView(string MessageId, DateTimeOffset InsertedAt, long DequeueCount, string? Reason = null, string? Text = null);
