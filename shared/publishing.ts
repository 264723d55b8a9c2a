/**
 * What meshwarden tells the world: every decision is published as an event on its own bus
 * (`source: meshwarden`), so operators, dashboards and other meshwarden functions can react.
 */
export interface DomainEvent {
  /** The EventBridge `detail-type`, e.g. `GovernanceDecision`, `DeploymentRolledBack`. */
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  /** ARNs of the resources the event is about. */
  readonly resources?: readonly string[];
}

/** The port through which use cases publish their decisions. */
export interface EventPublisher {
  /** Publish all events or throw: a partial failure is an error, so the caller's retry re-publishes. */
  publish(events: readonly DomainEvent[]): Promise<void>;
}
