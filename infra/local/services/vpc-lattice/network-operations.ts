import { type Call, idempotent, newId, type Operation, paginate, resolve, topLevelArn } from './call';
import { conflict, invalidRequest, quotaExceeded } from './errors';
import { serviceNetworkOf, serviceOf } from './lookups';
import type { ServiceAssociationRecord, ServiceNetworkRecord, VpcAssociationRecord } from './records';
import type { LatticeStore } from './store';
import {
  createServiceNetworkBody,
  createServiceNetworkServiceAssociationBody,
  createServiceNetworkVpcAssociationBody,
  serviceNetworkServiceAssociationIdentifier,
  serviceNetworkVpcAssociationIdentifier,
  updateServiceNetworkBody,
  validate,
} from './validation';
import {
  serviceAssociationView,
  serviceNetworkSummary,
  serviceNetworkView,
  vpcAssociationView,
} from './views';

/** Service networks per Region (the default quota). */
const SERVICE_NETWORKS_PER_REGION = 50;
/** Service associations per service network (the default quota). */
const SERVICES_PER_NETWORK = 500;

/** Service networks, and their associations with services and VPCs. */
export function networkOperations(store: LatticeStore): Record<string, Operation> {
  const param = (call: Call, name: string) => call.params[name] ?? '';

  const snsaOf = (call: Call): ServiceAssociationRecord => {
    const identifier = param(call, 'serviceNetworkServiceAssociationIdentifier');
    validate(
      serviceNetworkServiceAssociationIdentifier,
      identifier,
      'serviceNetworkServiceAssociationIdentifier',
    );
    return resolve(
      store,
      'servicenetworkserviceassociation',
      identifier,
      (id) => topLevelArn(call, 'servicenetworkserviceassociation', id),
      call.region,
    );
  };
  const snvaOf = (call: Call): VpcAssociationRecord => {
    const identifier = param(call, 'serviceNetworkVpcAssociationIdentifier');
    validate(serviceNetworkVpcAssociationIdentifier, identifier, 'serviceNetworkVpcAssociationIdentifier');
    return resolve(
      store,
      'servicenetworkvpcassociation',
      identifier,
      (id) => topLevelArn(call, 'servicenetworkvpcassociation', id),
      call.region,
    );
  };

  return {
    CreateServiceNetwork: (call) => {
      const body = validate(createServiceNetworkBody, call.body);
      return idempotent(store, call, 'SERVICE_NETWORK', () => {
        const existing = store.find('servicenetwork', call.region, (sn) => sn.name === body.name)[0];
        if (existing !== undefined) {
          throw conflict(
            'SERVICE_NETWORK',
            existing.id,
            `A service network named ${body.name} already exists`,
          );
        }
        if (store.find('servicenetwork', call.region).length >= SERVICE_NETWORKS_PER_REGION) {
          throw quotaExceeded(
            'SERVICE_NETWORK',
            `This account has reached the quota of ${SERVICE_NETWORKS_PER_REGION} service networks in ${call.region}`,
          );
        }
        const id = newId('servicenetwork');
        const at = call.now.getTime();
        const record: ServiceNetworkRecord = {
          kind: 'servicenetwork',
          arn: topLevelArn(call, 'servicenetwork', id),
          id,
          region: call.region,
          name: body.name,
          authType: body.authType ?? 'NONE',
          sharingConfig: { enabled: body.sharingConfig?.enabled ?? true },
          createdAt: at,
          lastUpdatedAt: at,
          tags: body.tags ?? {},
        };
        store.put(record);
        return {
          id,
          name: record.name,
          arn: record.arn,
          authType: record.authType,
          sharingConfig: record.sharingConfig,
        };
      });
    },
    GetServiceNetwork: (call) =>
      serviceNetworkView(store, serviceNetworkOf(store, call, param(call, 'serviceNetworkIdentifier'))),
    ListServiceNetworks: (call) => {
      const page = paginate(store.find('servicenetwork', call.region), call, 'ListServiceNetworks');
      return {
        items: page.items.map((sn) => serviceNetworkSummary(store, sn)),
        ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
      };
    },
    UpdateServiceNetwork: (call) => {
      const body = validate(updateServiceNetworkBody, call.body);
      const sn = serviceNetworkOf(store, call, param(call, 'serviceNetworkIdentifier'));
      sn.authType = body.authType;
      sn.lastUpdatedAt = call.now.getTime();
      return { id: sn.id, name: sn.name, arn: sn.arn, authType: sn.authType };
    },
    DeleteServiceNetwork: (call) => {
      const sn = serviceNetworkOf(store, call, param(call, 'serviceNetworkIdentifier'));
      const services = store.find(
        'servicenetworkserviceassociation',
        call.region,
        (a) => a.serviceNetworkArn === sn.arn,
      );
      const vpcs = store.find(
        'servicenetworkvpcassociation',
        call.region,
        (a) => a.serviceNetworkArn === sn.arn,
      );
      if (services.length > 0 || vpcs.length > 0) {
        throw conflict(
          'SERVICE_NETWORK',
          sn.id,
          `Service network ${sn.id} still has ${services.length} service and ${vpcs.length} VPC associations; delete them first`,
        );
      }
      store.delete(sn.arn);
      return undefined;
    },

    CreateServiceNetworkServiceAssociation: (call) => {
      const body = validate(createServiceNetworkServiceAssociationBody, call.body);
      return idempotent(store, call, 'SERVICE_NETWORK_SERVICE_ASSOCIATION', () => {
        const sn = serviceNetworkOf(store, call, body.serviceNetworkIdentifier);
        const svc = serviceOf(store, call, body.serviceIdentifier);
        const existing = store.find(
          'servicenetworkserviceassociation',
          call.region,
          (a) => a.serviceNetworkArn === sn.arn && a.serviceArn === svc.arn,
        )[0];
        if (existing !== undefined) {
          throw conflict(
            'SERVICE_NETWORK_SERVICE_ASSOCIATION',
            existing.id,
            `Service ${svc.id} is already associated with service network ${sn.id}`,
          );
        }
        const count = store.find(
          'servicenetworkserviceassociation',
          call.region,
          (a) => a.serviceNetworkArn === sn.arn,
        ).length;
        if (count >= SERVICES_PER_NETWORK) {
          throw quotaExceeded(
            'SERVICE_NETWORK_SERVICE_ASSOCIATION',
            `Service network ${sn.id} has reached the quota of ${SERVICES_PER_NETWORK} service associations`,
            { resourceId: sn.id },
          );
        }
        const id = newId('servicenetworkserviceassociation');
        const at = call.now.getTime();
        const record: ServiceAssociationRecord = {
          kind: 'servicenetworkserviceassociation',
          arn: topLevelArn(call, 'servicenetworkserviceassociation', id),
          id,
          region: call.region,
          serviceNetworkArn: sn.arn,
          serviceArn: svc.arn,
          createdBy: call.account,
          createdAt: at,
          lastUpdatedAt: at,
          tags: body.tags ?? {},
        };
        store.put(record);
        return {
          id,
          status: 'ACTIVE',
          arn: record.arn,
          createdBy: record.createdBy,
          dnsEntry: svc.dnsEntry,
          ...(svc.customDomainName === undefined ? {} : { customDomainName: svc.customDomainName }),
        };
      });
    },
    GetServiceNetworkServiceAssociation: (call) => serviceAssociationView(store, snsaOf(call)),
    ListServiceNetworkServiceAssociations: (call) => {
      const snId = call.query.get('serviceNetworkIdentifier');
      const svcId = call.query.get('serviceIdentifier');
      if (snId === null && svcId === null) {
        throw invalidRequest('Either serviceNetworkIdentifier or serviceIdentifier must be given');
      }
      const sn = snId === null ? undefined : serviceNetworkOf(store, call, snId);
      const svc = svcId === null ? undefined : serviceOf(store, call, svcId);
      const page = paginate(
        store.find(
          'servicenetworkserviceassociation',
          call.region,
          (a) =>
            (sn === undefined || a.serviceNetworkArn === sn.arn) &&
            (svc === undefined || a.serviceArn === svc.arn),
        ),
        call,
        `ListServiceNetworkServiceAssociations:${sn?.arn ?? ''}:${svc?.arn ?? ''}`,
      );
      return {
        items: page.items.map((a) => serviceAssociationView(store, a)),
        ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
      };
    },
    DeleteServiceNetworkServiceAssociation: (call) => {
      const a = snsaOf(call);
      store.delete(a.arn);
      return { id: a.id, status: 'DELETE_IN_PROGRESS', arn: a.arn };
    },

    CreateServiceNetworkVpcAssociation: (call) => {
      const body = validate(createServiceNetworkVpcAssociationBody, call.body);
      return idempotent(store, call, 'SERVICE_NETWORK_VPC_ASSOCIATION', () => {
        const sn = serviceNetworkOf(store, call, body.serviceNetworkIdentifier);
        // A VPC connects to one service network through an association.
        const existing = store.find(
          'servicenetworkvpcassociation',
          call.region,
          (a) => a.vpcId === body.vpcIdentifier,
        )[0];
        if (existing !== undefined) {
          throw conflict(
            'SERVICE_NETWORK_VPC_ASSOCIATION',
            existing.id,
            `VPC ${body.vpcIdentifier} is already associated with a service network`,
          );
        }
        const id = newId('servicenetworkvpcassociation');
        const at = call.now.getTime();
        const record: VpcAssociationRecord = {
          kind: 'servicenetworkvpcassociation',
          arn: topLevelArn(call, 'servicenetworkvpcassociation', id),
          id,
          region: call.region,
          serviceNetworkArn: sn.arn,
          vpcId: body.vpcIdentifier,
          securityGroupIds: body.securityGroupIds ?? [],
          ...(body.privateDnsEnabled === undefined ? {} : { privateDnsEnabled: body.privateDnsEnabled }),
          createdBy: call.account,
          createdAt: at,
          lastUpdatedAt: at,
          tags: body.tags ?? {},
        };
        store.put(record);
        return {
          id,
          status: 'ACTIVE',
          arn: record.arn,
          createdBy: record.createdBy,
          securityGroupIds: record.securityGroupIds,
          ...(record.privateDnsEnabled === undefined ? {} : { privateDnsEnabled: record.privateDnsEnabled }),
        };
      });
    },
    GetServiceNetworkVpcAssociation: (call) => vpcAssociationView(store, snvaOf(call)),
    ListServiceNetworkVpcAssociations: (call) => {
      const snId = call.query.get('serviceNetworkIdentifier');
      const vpcId = call.query.get('vpcIdentifier');
      if (snId === null && vpcId === null) {
        throw invalidRequest('Either serviceNetworkIdentifier or vpcIdentifier must be given');
      }
      const sn = snId === null ? undefined : serviceNetworkOf(store, call, snId);
      const page = paginate(
        store.find(
          'servicenetworkvpcassociation',
          call.region,
          (a) =>
            (sn === undefined || a.serviceNetworkArn === sn.arn) && (vpcId === null || a.vpcId === vpcId),
        ),
        call,
        `ListServiceNetworkVpcAssociations:${sn?.arn ?? ''}:${vpcId ?? ''}`,
      );
      return {
        items: page.items.map((a) => vpcAssociationView(store, a)),
        ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
      };
    },
    DeleteServiceNetworkVpcAssociation: (call) => {
      const a = snvaOf(call);
      store.delete(a.arn);
      return { id: a.id, status: 'DELETE_IN_PROGRESS', arn: a.arn };
    },
  };
}
