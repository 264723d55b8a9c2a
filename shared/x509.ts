/**
 * @peculiar/x509 behind its one prerequisite: its dependency injection (tsyringe) needs the
 * Reflect metadata API at import time. Import X.509 classes from here, never from the package
 * directly (a lint rule enforces it), so that `reflect-metadata` is always evaluated first.
 */
import 'reflect-metadata';

export * from '@peculiar/x509';
