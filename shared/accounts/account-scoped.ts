/**
 * Adapters as one account's: whatever meshwarden publishes or tells about that account's meshes
 * names the account, so a decision about `prod` in one account is never mistaken for one about
 * `prod` in another. The use cases stay account-blind; the wiring hands them these.
 */
import type { ChatNotifier, DomainEvent, EventPublisher, StepScheduler } from '../ports';

/** Publish with `account` in every event's detail. */
export function publisherIn(account: string, publisher: EventPublisher): EventPublisher {
  return {
    publish: (events: readonly DomainEvent[]) =>
      publisher.publish(events.map((event) => ({ ...event, detail: { ...event.detail, account } }))),
  };
}

/** Tell people with the account in the title and the fields. */
export function notifierIn(account: string, notifier: ChatNotifier): ChatNotifier {
  return {
    notify: (notification) =>
      notifier.notify({
        ...notification,
        title: `${notification.title} (account ${account})`,
        fields: { account, ...notification.fields },
      }),
  };
}

/** Schedule steps that name the account, so the step runs against that account's route. */
export function schedulerIn(account: string, scheduler: StepScheduler): StepScheduler {
  return {
    schedule: (step, at) => scheduler.schedule({ ...step, account }, at),
    cancel: (token) => scheduler.cancel(token),
    ensureRecovery: () => scheduler.ensureRecovery(),
    removeRecovery: () => scheduler.removeRecovery(),
  };
}
