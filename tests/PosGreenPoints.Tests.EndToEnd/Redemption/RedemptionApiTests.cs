using System.Net;
using System.Net.Http.Json;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Contracts.Redemptions;
using PosGreenPoints.Tests.Fixtures;
using static PosGreenPoints.Tests.EndToEnd.Redemption.RedemptionCalls;

namespace PosGreenPoints.Tests.EndToEnd.Redemption;

/// <summary>
/// Redemption over HTTP through the runner (redemption.md): the app issues a code, another chain's till reads
/// the balance by it, reserves, commits, refunds, cancels; who may see and change a redemption; idempotency
/// under concurrency; the limit on failed code look-ups.
/// </summary>
[Collection(FunctionAppTests.Name)]
public sealed class RedemptionApiTests(FunctionAppFixture app)
{
    [Fact]
    public async Task Points_earned_at_one_chain_are_reserved_committed_and_refunded_at_another_as_the_spec_says()
    {
        var (issuer, redeemer) = (SampleReceipts.NewChainId("issuer"), SampleReceipts.NewChainId("redeemer"));
        await app.RegisterChainAsync(issuer);
        await app.RegisterChainAsync(redeemer);
        using var operatorClient = app.Client();
        using var appClient = app.Client(await app.CreateClientAsync("app"));
        using var till = app.Client(await app.CreateClientAsync("pos", redeemer));
        var memberId = NewMemberId("RW");
        await operatorClient.CreditAsync(memberId, issuer, 1000);

        // The app issues a code; the till reads the balance by it, twice (a look-up does not use the code up).
        var before = DateTimeOffset.UtcNow;
        var code = await appClient.IssueCodeAsync(memberId);
        Assert.Matches("^[0-9]{18}$", code.Code);
        Assert.InRange(code.ExpiresAt, before.AddSeconds(119), DateTimeOffset.UtcNow.AddSeconds(121));
        foreach (var _ in new[] { 1, 2 })
        {
            var byCode = (await till.GetFromJsonAsync<MemberPointsView>($"api/v1/members/by-code/{code.Code}/points"))!;
            Assert.Equal((memberId, 1000L, 1000L), (byCode.MemberId, byCode.Available, byCode.Balance));
        }

        // Reserve 500: held, not spent; value = points × yuanPerPoint.
        var reservation = Reservation(redeemer, "R-" + Guid.NewGuid().ToString("N")[..10], code.Code, 500);
        using var reserved = await till.ReserveAsync(reservation);
        var held = await AssertRedemptionAsync(reserved, HttpStatusCode.Created);
        Assert.Equal((RedemptionStatuses.Reserved, 500L, "5.00", "0.01", memberId, redeemer), (held.Status, held.Points, held.Value, held.YuanPerPoint, held.MemberId, held.ChainId));
        Assert.Equal(held.StatusUrl, reserved.Headers.Location?.OriginalString);
        Assert.Equal(held.ReservedAt.AddMinutes(15), held.ReservedUntil);
        Assert.False(string.IsNullOrEmpty(held.RulesVersion));
        var whileHeld = await operatorClient.PointsAsync(memberId);
        Assert.Equal((500L, 500L, 0L, 1000L), (whileHeld.Available, whileHeld.Reserved, whileHeld.Redeemed, whileHeld.Balance));

        // The code is used: a second reservation with it is the one 404 of an unknown code. The same request
        // again is the same reservation; the same id with other content is a conflict.
        using var reused = await till.ReserveAsync(reservation with { RedemptionId = "R-" + Guid.NewGuid().ToString("N")[..10] });
        await AssertProblemAsync(reused, 404, "member-code-invalid");
        using var unknown = await till.ReserveAsync(reservation with { RedemptionId = "R-" + Guid.NewGuid().ToString("N")[..10], MemberCode = "000000000000000000" });
        Assert.Equal(await unknown.Content.ReadAsStringAsync(), await reused.Content.ReadAsStringAsync());
        using var repeated = await till.ReserveAsync(reservation);
        var repeat = await AssertRedemptionAsync(repeated, HttpStatusCode.OK);
        Assert.Equal((true, held.ReservedAt, RedemptionStatuses.Reserved), (repeat.Duplicate, repeat.ReservedAt, repeat.Status));
        using var conflicting = await till.ReserveAsync(reservation with { Points = 400 });
        await AssertProblemAsync(conflicting, 409, "redemption-conflict");

        // Commit, naming the sale that carried the discount; committing again answers the same.
        var receipt = new CommitRequest(new RedemptionReceipt("SH-0012", "POS-03", "D-0042", DateTimeOffset.UtcNow.AddMinutes(-1)));
        using var committed = await till.CommitAsync(redeemer, reservation.RedemptionId!, receipt);
        var spent = await AssertRedemptionAsync(committed, HttpStatusCode.OK);
        using var committedAgain = await till.CommitAsync(redeemer, reservation.RedemptionId!);
        var spentAgain = await AssertRedemptionAsync(committedAgain, HttpStatusCode.OK);
        Assert.Equal(RedemptionStatuses.Committed, spent.Status);
        Assert.Equal((RedemptionStatuses.Committed, spent.CommittedAt), (spentAgain.Status, spentAgain.CommittedAt));
        using var cancelCommitted = await till.CancelAsync(redeemer, reservation.RedemptionId!);
        await AssertProblemAsync(cancelCommitted, 409, "redemption-committed");

        var read = (await till.GetFromJsonAsync<RedemptionView>(held.StatusUrl.TrimStart('/')))!;
        Assert.Equal([new RedemptionSourceView(issuer, 500)], read.Sources);
        Assert.NotNull(read.CommittedAt);

        // Refunds go back into the issuer's lot; a repeat is a duplicate, other content a conflict, more than
        // was committed a 400.
        using var refunded = await till.RefundAsync(redeemer, reservation.RedemptionId!, "F-1", 200);
        Assert.Equal(HttpStatusCode.Created, refunded.StatusCode);
        var refund = (await refunded.Content.ReadFromJsonAsync<RefundView>())!;
        Assert.Equal((200L, 200L), (refund.Points, refund.Redemption.Refunded));
        using var refundRepeated = await till.RefundAsync(redeemer, reservation.RedemptionId!, "F-1", 200);
        Assert.Equal(HttpStatusCode.OK, refundRepeated.StatusCode);
        Assert.True((await refundRepeated.Content.ReadFromJsonAsync<RefundView>())!.Duplicate);
        using var refundConflict = await till.RefundAsync(redeemer, reservation.RedemptionId!, "F-1", 100);
        await AssertProblemAsync(refundConflict, 409, "refund-conflict");
        using var refundTooMuch = await till.RefundAsync(redeemer, reservation.RedemptionId!, "F-2", 301);
        Assert.Equal(HttpStatusCode.BadRequest, refundTooMuch.StatusCode);

        var afterRefund = await operatorClient.PointsAsync(memberId);
        Assert.Equal((700L, 0L, 300L, 700L), (afterRefund.Available, afterRefund.Reserved, afterRefund.Redeemed, afterRefund.Balance));
        var statement = await operatorClient.StatementAsync(memberId);
        Assert.Equal(-500, statement.Where(entry => entry.Kind == StatementKinds.Redemption).Sum(entry => entry.Points));
        Assert.Equal(200, statement.Where(entry => entry.Kind == StatementKinds.Refund).Sum(entry => entry.Points));
        Assert.All(statement.Where(entry => entry.Kind is StatementKinds.Redemption or StatementKinds.Refund), entry => Assert.Equal(redeemer, entry.ChainId));

        // More than available: refused with what is available, and the code is not used up by the refusal.
        var second = await appClient.IssueCodeAsync(memberId);
        var tooMuch = Reservation(redeemer, "R-" + Guid.NewGuid().ToString("N")[..10], second.Code, 701);
        using var refused = await till.ReserveAsync(tooMuch);
        var insufficient = await AssertProblemAsync(refused, 409, "insufficient-points");
        Assert.Equal(700, insufficient.GetProperty("available").GetInt64());
        using var fits = await till.ReserveAsync(tooMuch with { RedemptionId = tooMuch.RedemptionId + "b", Points = 700 });
        await AssertRedemptionAsync(fits, HttpStatusCode.Created);

        // Cancelled twice is cancelled; a commit after it is refused naming the status.
        using var cancelled = await till.CancelAsync(redeemer, tooMuch.RedemptionId + "b");
        Assert.Equal(RedemptionStatuses.Cancelled, (await AssertRedemptionAsync(cancelled, HttpStatusCode.OK)).Status);
        using var cancelledAgain = await till.CancelAsync(redeemer, tooMuch.RedemptionId + "b");
        Assert.Equal(RedemptionStatuses.Cancelled, (await AssertRedemptionAsync(cancelledAgain, HttpStatusCode.OK)).Status);
        using var commitCancelled = await till.CommitAsync(redeemer, tooMuch.RedemptionId + "b");
        var notOpen = await AssertProblemAsync(commitCancelled, 409, "redemption-not-open");
        Assert.Equal(RedemptionStatuses.Cancelled, notOpen.GetProperty("status").GetString());

        // A gate reserves and commits in one step.
        var gateCode = await appClient.IssueCodeAsync(memberId);
        using var oneStep = await till.ReserveAsync(Reservation(redeemer, "G-" + Guid.NewGuid().ToString("N")[..10], gateCode.Code, 100, commit: true, purpose: RedemptionPurposes.Service));
        var gate = await AssertRedemptionAsync(oneStep, HttpStatusCode.Created);
        Assert.Equal((RedemptionStatuses.Committed, RedemptionPurposes.Service, "1.00"), (gate.Status, gate.Purpose, gate.Value));
        var end = await operatorClient.PointsAsync(memberId);
        Assert.Equal((600L, 0L, 400L, 600L), (end.Available, end.Reserved, end.Redeemed, end.Balance));
    }

    [Fact]
    public async Task Another_chain_neither_sees_nor_changes_a_redemption_and_an_operator_redeems_by_member_id_with_a_reason()
    {
        var (issuer, redeemer) = (SampleReceipts.NewChainId("issuer"), SampleReceipts.NewChainId("redeemer"));
        await app.RegisterChainAsync(issuer);
        await app.RegisterChainAsync(redeemer);
        using var operatorClient = app.Client();
        using var appClient = app.Client(await app.CreateClientAsync("app"));
        using var till = app.Client(await app.CreateClientAsync("pos", redeemer));
        using var redeemerFinance = app.Client(await app.CreateClientAsync("chain", redeemer));
        using var issuerTill = app.Client(await app.CreateClientAsync("pos", issuer));
        using var issuerFinance = app.Client(await app.CreateClientAsync("chain", issuer));
        var memberId = NewMemberId("RS");
        await operatorClient.CreditAsync(memberId, issuer, 1000);
        var code = await appClient.IssueCodeAsync(memberId);
        var redemptionId = "S-" + Guid.NewGuid().ToString("N")[..10];
        using var reserved = await till.ReserveAsync(Reservation(redeemer, redemptionId, code.Code, 300));
        await AssertRedemptionAsync(reserved, HttpStatusCode.Created);

        // The redeeming chain's till and finance team read it; the issuer's keys get the 404 of a redemption
        // that does not exist, for reads and changes alike.
        Assert.Equal(HttpStatusCode.OK, (await till.GetAsync($"api/v1/redemptions/{redeemer}/{redemptionId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await redeemerFinance.GetAsync($"api/v1/redemptions/{redeemer}/{redemptionId}")).StatusCode);
        foreach (var outsider in new[] { issuerTill, issuerFinance })
        {
            using var existing = await outsider.GetAsync($"api/v1/redemptions/{redeemer}/{redemptionId}");
            using var absent = await outsider.GetAsync($"api/v1/redemptions/{redeemer}/NO-SUCH-{Guid.NewGuid():N}"[..40]);
            Assert.Equal(HttpStatusCode.NotFound, existing.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
        }

        foreach (var change in new Func<HttpClient, Task<HttpResponseMessage>>[]
        {
            client => client.CommitAsync(redeemer, redemptionId),
            client => client.CancelAsync(redeemer, redemptionId),
            client => client.RefundAsync(redeemer, redemptionId, "F-X", 10),
        })
        {
            using var answer = await change(issuerTill);
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        }

        // A till may not reserve for a chain outside its scope; a finance key and the app may not reserve at
        // all; a till may not issue codes nor name a member by id.
        var other = await appClient.IssueCodeAsync(memberId);
        using var outsideScope = await issuerTill.ReserveAsync(Reservation(redeemer, "S-X1", other.Code, 10));
        Assert.Equal(HttpStatusCode.Forbidden, outsideScope.StatusCode);
        using var byFinance = await redeemerFinance.ReserveAsync(Reservation(redeemer, "S-X2", other.Code, 10));
        Assert.Equal(HttpStatusCode.Forbidden, byFinance.StatusCode);
        using var byApp = await appClient.ReserveAsync(Reservation(redeemer, "S-X3", other.Code, 10));
        Assert.Equal(HttpStatusCode.Forbidden, byApp.StatusCode);
        using var tillCode = await till.PostAsync($"api/v1/members/{memberId}/codes", null);
        Assert.Equal(HttpStatusCode.Forbidden, tillCode.StatusCode);
        using var tillById = await till.ReserveAsync(new RedemptionRequest(redeemer, "SH-0012", "POS-03", "S-X4", null, memberId, 10, RedemptionPurposes.Discount, null, "desk"));
        Assert.Equal(HttpStatusCode.BadRequest, tillById.StatusCode);
        Assert.Equal(300, (await operatorClient.PointsAsync(memberId)).Reserved);

        // The service desk: an operator by member id, only with a reason.
        using var noReason = await operatorClient.ReserveAsync(new RedemptionRequest(redeemer, "DESK", "D-1", "S-D1", null, memberId, 50, RedemptionPurposes.Service, true, null));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("reason", await noReason.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var desk = await operatorClient.ReserveAsync(new RedemptionRequest(redeemer, "DESK", "D-1", "S-D1", null, memberId, 50, RedemptionPurposes.Service, true, "会员到服务台兑换 desk"));
        Assert.Equal(RedemptionStatuses.Committed, (await AssertRedemptionAsync(desk, HttpStatusCode.Created)).Status);
        using var unregistered = await operatorClient.ReserveAsync(new RedemptionRequest(SampleReceipts.NewChainId("nochain"), "DESK", "D-1", "S-D2", null, memberId, 50, RedemptionPurposes.Service, true, "desk"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unregistered.StatusCode);
        Assert.Contains("/problems/chain-not-registered", await unregistered.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var points = await operatorClient.PointsAsync(memberId);
        Assert.Equal((650L, 300L, 50L), (points.Available, points.Reserved, points.Redeemed));
    }

    [Fact]
    public async Task Twenty_identical_reservations_at_once_hold_the_points_once_and_answer_201_once_and_200_otherwise()
    {
        var chainId = SampleReceipts.NewChainId("redeemer");
        await app.RegisterChainAsync(chainId);
        using var operatorClient = app.Client();
        using var appClient = app.Client(await app.CreateClientAsync("app"));
        using var till = app.Client(await app.CreateClientAsync("pos", chainId));
        var memberId = NewMemberId("RC");
        await operatorClient.CreditAsync(memberId, chainId, 1000);
        var code = await appClient.IssueCodeAsync(memberId);
        var reservation = Reservation(chainId, "C-" + Guid.NewGuid().ToString("N")[..10], code.Code, 400);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var response = await till.ReserveAsync(reservation);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.All(answers, answer => Assert.True(answer.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)answer.StatusCode} {answer.Body}"));
        Assert.Single(answers, answer => answer.StatusCode == HttpStatusCode.Created);
        var points = await operatorClient.PointsAsync(memberId);
        Assert.Equal((600L, 400L), (points.Available, points.Reserved));
    }

    [Fact]
    public async Task Failed_code_look_ups_over_the_limit_are_429_with_Retry_After_for_that_client_only()
    {
        var chainId = SampleReceipts.NewChainId("guesser");
        await app.RegisterChainAsync(chainId);
        using var guesser = app.Client(await app.CreateClientAsync("pos", chainId));
        using var honest = app.Client(await app.CreateClientAsync("pos", chainId));
        string Guess(int index) => (100_000_000_000_000_000L + index).ToString(System.Globalization.CultureInfo.InvariantCulture);

        // The limit counts per UTC minute: the look-ups start early in one, so that all 21 fall in it.
        var now = DateTimeOffset.UtcNow;
        if (now.Second >= 40)
        {
            await Task.Delay(TimeSpan.FromSeconds(61 - now.Second));
        }

        for (var index = 0; index < 20; index++)
        {
            using var miss = await guesser.GetAsync($"api/v1/members/by-code/{Guess(index)}/points");
            await AssertProblemAsync(miss, 404, "member-code-invalid");
        }

        using var limited = await guesser.GetAsync($"api/v1/members/by-code/{Guess(20)}/points");
        await AssertProblemAsync(limited, 429, "too-many-requests");
        Assert.InRange(limited.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        using var reserveLimited = await guesser.ReserveAsync(Reservation(chainId, "L-1", Guess(21), 10));
        Assert.Equal(HttpStatusCode.TooManyRequests, reserveLimited.StatusCode);
        using var other = await honest.GetAsync($"api/v1/members/by-code/{Guess(22)}/points");
        await AssertProblemAsync(other, 404, "member-code-invalid");
    }
}
