/// Where a not-federated decision is kept for the front module (NotFederatedRecord says what a
/// record holds and when one is written). The module's is SystemNotFederatedMemo (JCFedSystem:
/// /run/jcfed/not-federated, root's); nil in tests and the admin tool: nothing is kept.
public protocol NotFederatedMemo: AnyObject {
    /// Best effort: a record that cannot be written is simply not there (the next login decides
    /// in the core again).
    func remember(_ record: NotFederatedRecord)
}
