/**
 * Demo data for the emulator. Together the connectors and connections cover every member of
 * every union in DescribeActionConnector / GetConnection, every enum-typed member and every
 * optional member at least once, plus one connector and one connection carrying a union member
 * and an enum value the SDK does not know (to demo the `$unknown` / raw-enum fallbacks).
 *
 * Every credential value contains `SECRET-CANARY-` and is distinct; no other value contains it. That
 * includes the entries of string maps whose key names a credential (credential-map-keys.ts).
 * Functions return fresh objects on every call.
 */
import type { ActionConnector } from '@aws-sdk/client-quicksight';
import type {
  ConnectionCredentials,
  GetConnectionOutput,
  GetProjectOutput,
  GlueConnection,
  PhysicalEndpoint,
} from '@aws-sdk/client-datazone';

export const DEMO_AWS_ACCOUNT_ID = '111122223333';
export const DEMO_REGION = 'us-east-1';
export const DEMO_DOMAIN_ID = 'dzd_demo0001';
export const SECRET_CANARY_PREFIX = 'SECRET-CANARY-';

/** An enum value the SDK does not know: typed as the SDK enum so it can sit in SDK-shaped data. */
function futureEnumValue<T extends string>(value: string): T {
  return value as T;
}

const ACCOUNT = DEMO_AWS_ACCOUNT_ID;
const REGION = DEMO_REGION;

function qsArn(connectorId: string): string {
  return `arn:aws:quicksight:${REGION}:${ACCOUNT}:action-connector/${connectorId}`;
}
function roleArn(name: string): string {
  return `arn:aws:iam::${ACCOUNT}:role/${name}`;
}

/** `new Date(iso)`; the demo timestamps carry milliseconds to exercise fractional epoch seconds. */
function at(iso: string): Date {
  return new Date(iso);
}

// ---------------------------------------------------------------------------------------------
// QuickSight action connectors
// ---------------------------------------------------------------------------------------------

export function seedActionConnectors(): Array<{ awsAccountId: string; connector: ActionConnector }> {
  const connectors: ActionConnector[] = [
    {
      // AuthenticationMetadata.AuthorizationCodeGrantMetadata (+ ReadAuthorizationCodeGrantDetails)
      Arn: qsArn('jira-cloud'),
      ActionConnectorId: 'jira-cloud',
      Type: 'JIRA_CLOUD',
      Name: 'Jira Cloud (Engineering)',
      CreatedTime: at('2025-01-15T10:30:00.123Z'),
      LastUpdatedTime: at('2025-06-02T08:15:42.456Z'),
      Status: 'CREATION_SUCCESSFUL',
      Description: 'Create and update Jira issues for the ENG and OPS projects from Quick Sight.',
      AuthenticationConfig: {
        AuthenticationType: 'OAUTH2_AUTHORIZATION_CODE',
        AuthenticationMetadata: {
          AuthorizationCodeGrantMetadata: {
            BaseEndpoint: 'https://api.atlassian.com/ex/jira/3f1c2a9e-7d41-4b8e-9a63-2c5d8e1f0b7a',
            RedirectUrl: `https://${REGION}.quicksight.aws.amazon.com/sn/oauthcallback`,
            ReadAuthorizationCodeGrantCredentialsDetails: {
              ReadAuthorizationCodeGrantDetails: {
                ClientId: 'jira-oauth-client-7Qk2mX9p',
                TokenEndpoint: 'https://auth.atlassian.com/oauth/token',
                AuthorizationEndpoint: 'https://auth.atlassian.com/authorize',
              },
            },
            AuthorizationCodeGrantCredentialsSource: 'PLAIN_CREDENTIALS',
          },
        },
      },
      EnabledActions: ['CreateIssue', 'UpdateIssue', 'GetIssue', 'SearchIssues', 'AddComment'],
    },
    {
      // AuthenticationMetadata.ClientCredentialsGrantMetadata (+ ReadClientCredentialsGrantDetails), VPC connection
      Arn: qsArn('servicenow-prod'),
      ActionConnectorId: 'servicenow-prod',
      Type: 'SERVICENOW_NOW_PLATFORM',
      Name: 'ServiceNow (Production)',
      CreatedTime: at('2025-02-03T14:00:00.000Z'),
      LastUpdatedTime: at('2025-05-20T16:45:10.789Z'),
      Status: 'UPDATE_SUCCESSFUL',
      Description: 'Open and resolve ServiceNow incidents; reached through the corporate VPC.',
      AuthenticationConfig: {
        AuthenticationType: 'OAUTH2_CLIENT_CREDENTIALS',
        AuthenticationMetadata: {
          ClientCredentialsGrantMetadata: {
            BaseEndpoint: 'https://acme-prod.service-now.com/api/now',
            ReadClientCredentialsDetails: {
              ReadClientCredentialsGrantDetails: {
                ClientId: 'snow-quicksight-integration',
                TokenEndpoint: 'https://acme-prod.service-now.com/oauth_token.do',
              },
            },
            ClientCredentialsSource: 'PLAIN_CREDENTIALS',
          },
        },
      },
      EnabledActions: ['CreateIncident', 'UpdateIncident', 'GetIncident'],
      VpcConnectionArn: `arn:aws:quicksight:${REGION}:${ACCOUNT}:vpcConnection/corp-vpc-servicenow`,
    },
    {
      // AuthenticationMetadata.BasicAuthConnectionMetadata
      Arn: qsArn('zendesk-support'),
      ActionConnectorId: 'zendesk-support',
      Type: 'ZENDESK_SUITE',
      Name: 'Zendesk Support',
      CreatedTime: at('2025-03-10T09:05:30.250Z'),
      LastUpdatedTime: at('2025-03-10T09:05:30.250Z'),
      Status: 'CREATION_SUCCESSFUL',
      Description: 'Look up and update customer support tickets.',
      AuthenticationConfig: {
        AuthenticationType: 'BASIC',
        AuthenticationMetadata: {
          BasicAuthConnectionMetadata: {
            BaseEndpoint: 'https://acme.zendesk.com/api/v2',
            Username: 'quicksight-bot@acme.example.com',
          },
        },
      },
      EnabledActions: ['GetTicket', 'UpdateTicket'],
    },
    {
      // AuthenticationMetadata.ApiKeyConnectionMetadata
      Arn: qsArn('pagerduty-oncall'),
      ActionConnectorId: 'pagerduty-oncall',
      Type: 'PAGERDUTY_ADVANCE',
      Name: 'PagerDuty On-Call',
      CreatedTime: at('2025-04-01T12:00:00.001Z'),
      LastUpdatedTime: at('2025-04-22T07:30:00.999Z'),
      Status: 'UPDATE_IN_PROGRESS',
      Description: 'Trigger and acknowledge PagerDuty incidents for the data platform team.',
      AuthenticationConfig: {
        AuthenticationType: 'API_KEY',
        AuthenticationMetadata: {
          ApiKeyConnectionMetadata: {
            BaseEndpoint: 'https://api.pagerduty.com',
            Email: 'data-platform-oncall@acme.example.com',
          },
        },
      },
      EnabledActions: ['CreateIncident', 'AcknowledgeIncident'],
    },
    {
      // AuthenticationMetadata.NoneConnectionMetadata
      Arn: qsArn('internal-status-api'),
      ActionConnectorId: 'internal-status-api',
      Type: 'GENERIC_HTTP',
      Name: 'Internal Status API',
      CreatedTime: at('2025-04-18T18:20:00.500Z'),
      LastUpdatedTime: at('2025-04-18T18:20:00.500Z'),
      Status: 'CREATION_IN_PROGRESS',
      Description: 'Public, unauthenticated status page of the internal platform.',
      AuthenticationConfig: {
        AuthenticationType: 'NONE',
        AuthenticationMetadata: {
          NoneConnectionMetadata: {
            BaseEndpoint: 'https://status.internal.acme.example.com/api',
          },
        },
      },
      EnabledActions: ['GetStatus'],
    },
    {
      // AuthenticationMetadata.IamConnectionMetadata
      Arn: qsArn('s3-reports'),
      ActionConnectorId: 's3-reports',
      Type: 'AMAZON_S3',
      Name: 'S3 Quarterly Reports',
      CreatedTime: at('2025-01-02T00:00:00.000Z'),
      LastUpdatedTime: at('2025-06-30T23:59:59.999Z'),
      Status: 'UPDATE_SUCCESSFUL',
      Description: 'Read and write exported quarterly reports in Amazon S3.',
      AuthenticationConfig: {
        AuthenticationType: 'IAM',
        AuthenticationMetadata: {
          IamConnectionMetadata: {
            RoleArn: roleArn('QuickSightS3ActionConnectorRole'),
            SourceArn: 'arn:aws:s3:::acme-quarterly-reports',
          },
        },
      },
      EnabledActions: ['GetObject', 'PutObject', 'ListObjects'],
    },
    {
      // Error + failed status
      Arn: qsArn('salesforce-crm'),
      ActionConnectorId: 'salesforce-crm',
      Type: 'SALESFORCE_CRM',
      Name: 'Salesforce CRM',
      CreatedTime: at('2025-05-05T05:05:05.505Z'),
      LastUpdatedTime: at('2025-05-06T06:06:06.606Z'),
      Status: 'CREATION_FAILED',
      Error: {
        Message: 'Token exchange with the authorization server failed: invalid_client.',
        Type: 'INTERNAL_FAILURE',
      },
      Description: 'Update opportunities and accounts in Salesforce.',
      AuthenticationConfig: {
        AuthenticationType: 'OAUTH2_AUTHORIZATION_CODE',
        AuthenticationMetadata: {
          AuthorizationCodeGrantMetadata: {
            BaseEndpoint: 'https://acme.my.salesforce.com/services/data/v61.0',
            RedirectUrl: `https://${REGION}.quicksight.aws.amazon.com/sn/oauthcallback`,
          },
        },
      },
      EnabledActions: [],
    },
    {
      // Fallback demo: a union member and an enum value this SDK does not know.
      Arn: qsArn('holo-future'),
      ActionConnectorId: 'holo-future',
      Type: futureEnumValue<NonNullable<ActionConnector['Type']>>('HOLOGRAPHIC_CONNECTOR'),
      Name: 'Holographic Meeting Room (future connector type)',
      CreatedTime: at('2026-01-01T00:00:00.000Z'),
      LastUpdatedTime: at('2026-01-01T00:00:00.000Z'),
      Status: 'CREATION_SUCCESSFUL',
      Description: 'Carries an authentication metadata kind that is newer than this SDK.',
      AuthenticationConfig: {
        AuthenticationType: futureEnumValue<NonNullable<ActionConnector['AuthenticationConfig']>['AuthenticationType'] & string>(
          'HOLOGRAPHIC_HANDSHAKE',
        ),
        AuthenticationMetadata: {
          $unknown: ['FutureAuthMetadata', { BaseEndpoint: 'https://holo.acme.example.com/api' }],
        },
      },
      EnabledActions: ['ProjectHologram'],
    },
  ];
  return connectors.map((connector) => ({ awsAccountId: ACCOUNT, connector }));
}

// ---------------------------------------------------------------------------------------------
// DataZone connections
// ---------------------------------------------------------------------------------------------

const DOMAIN = DEMO_DOMAIN_ID;
const DOMAIN_UNIT = 'du_analytics01';
const PROJECT = 'prj_sales_analytics';
const ENVIRONMENT = 'env_sales_tooling';
const ENV_USER_ROLE = roleArn('datazone_usr_role_prj_sales_analytics_env_sales_tooling');

function canary(connectionId: string, field: string): string {
  return `${SECRET_CANARY_PREFIX}${connectionId}-${field}`;
}

function credentials(connectionId: string): ConnectionCredentials {
  return {
    accessKeyId: canary(connectionId, 'accessKeyId'),
    secretAccessKey: canary(connectionId, 'secretAccessKey'),
    sessionToken: canary(connectionId, 'sessionToken'),
    expiration: at('2025-07-01T12:00:00.000Z'),
  };
}

function awsEndpoint(connectionId: string, protocol: PhysicalEndpoint['protocol'], host?: string, port?: number): PhysicalEndpoint {
  return {
    awsLocation: {
      accessRole: roleArn('datazone_connection_access_role'),
      awsAccountId: ACCOUNT,
      awsRegion: REGION,
      iamConnectionId: 'conn-iam-project',
    },
    ...(host !== undefined ? { host } : {}),
    ...(port !== undefined ? { port } : {}),
    protocol,
    stage: 'prod',
    enableTrustedIdentityPropagation: false,
    glueConnectionName: `${connectionId}-glue`,
    glueConnectionNames: [`${connectionId}-glue`],
  };
}

/** A fully populated Glue connection with OAuth2 properties; secrets carry the canary prefix. */
function glueConnection(connectionId: string, index: number, grant: 'AUTHORIZATION_CODE' | 'JWT_BEARER'): GlueConnection {
  const ep = `ep${index}`;
  return {
    name: `snowflake-sales-${ep}`,
    description: `Snowflake SALES database through Glue (${grant === 'AUTHORIZATION_CODE' ? 'user' : 'service'} OAuth)`,
    connectionType: 'SNOWFLAKE',
    matchCriteria: ['snowflake', 'sales', ep],
    // Credential entries (credential-map-keys.ts) beside ordinary ones, in every map and in several
    // spellings; the emulator returns them even without withSecret (EmulatorOptions.credentialMapEntries).
    connectionProperties: {
      HOST: 'acme-analytics.snowflakecomputing.com',
      PORT: '443',
      DATABASE: 'SALES',
      WAREHOUSE: 'ANALYTICS_WH',
      SCHEMA: 'PUBLIC',
      USERNAME: `svc_sales_${ep}`,
      SECRET_ID: `datazone/snowflake-sales-${ep}`,
      KAFKA_SASL_SCRAM_SECRETS_ARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:AmazonMSK_sales-${ep}-Qr56St`,
      ...(index === 1
        ? { PASSWORD: canary(connectionId, `${ep}-PASSWORD`), KAFKA_SASL_SCRAM_PASSWORD: canary(connectionId, `${ep}-KAFKA_SASL_SCRAM_PASSWORD`) }
        : { Encrypted_Password: canary(connectionId, `${ep}-Encrypted_Password`) }),
    },
    sparkProperties: {
      'spark.sql.catalog.snowflake.warehouse': 'ANALYTICS_WH',
      'spark.executor.memory': '4g',
      ...(index === 1
        ? { 'spark.hadoop.fs.s3a.access.key': canary(connectionId, `${ep}-s3a.access.key`), 'spark.hadoop.fs.s3a.secret.key': canary(connectionId, `${ep}-s3a.secret.key`) }
        : { 'spark.hadoop.fs.s3a.session.token': canary(connectionId, `${ep}-s3a.session.token`) }),
    },
    athenaProperties: {
      'athena.connector.spill.bucket': 'acme-athena-spill',
      'athena.connector.lambda.memory': '3008',
      ...(index === 2 ? { password: canary(connectionId, `${ep}-athena.password`) } : {}),
    },
    pythonProperties: {
      'python.modules': 'snowflake-connector-python==3.12.0',
      ...(index === 1 ? { SNOWFLAKE_TOKEN: canary(connectionId, `${ep}-SNOWFLAKE_TOKEN`) } : {}),
    },
    physicalConnectionRequirements: {
      subnetId: 'subnet-0a1b2c3d4e5f60718',
      subnetIdList: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
      securityGroupIdList: ['sg-0123456789abcdef0'],
      availabilityZone: 'us-east-1a',
    },
    creationTime: at('2025-02-10T11:11:11.111Z'),
    lastUpdatedTime: at('2025-06-12T13:14:15.161Z'),
    lastUpdatedBy: `arn:aws:sts::${ACCOUNT}:assumed-role/DataEngineer/alice`,
    status: 'READY',
    statusReason: 'Connection validated successfully.',
    lastConnectionValidationTime: at('2025-06-12T13:20:00.042Z'),
    authenticationConfiguration: {
      authenticationType: 'OAUTH2',
      secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:datazone/snowflake-sales-${ep}-Ab12Cd`,
      oAuth2Properties: {
        oAuth2GrantType: grant,
        oAuth2ClientApplication: {
          userManagedClientApplicationClientId: `snowflake-client-${ep}`,
          aWSManagedClientApplicationReference: `aws-managed-snowflake-${ep}`,
        },
        tokenUrl: 'https://acme-analytics.snowflakecomputing.com/oauth/token-request',
        tokenUrlParametersMap: {
          scope: 'session:role:ANALYST',
          audience: 'snowflake',
          ...(index === 1 ? { client_secret: canary(connectionId, `${ep}-client_secret`) } : {}),
        },
        authorizationCodeProperties: {
          authorizationCode: canary(connectionId, `${ep}-authorizationCode`),
          redirectUri: 'https://dzd_demo0001.sagemaker.us-east-1.on.aws/oauth/callback',
        },
        oAuth2Credentials: {
          userManagedClientApplicationClientSecret: canary(connectionId, `${ep}-clientSecret`),
          accessToken: canary(connectionId, `${ep}-accessToken`),
          refreshToken: canary(connectionId, `${ep}-refreshToken`),
          jwtToken: canary(connectionId, `${ep}-jwtToken`),
        },
      },
    },
    connectionSchemaVersion: 2,
    compatibleComputeEnvironments: ['SPARK', 'ATHENA', 'PYTHON'],
  };
}

/** Members every connection has; `props`, `type` and endpoints are added per connection. */
function base(connectionId: string, name: string, description: string): Omit<GetConnectionOutput, 'type' | 'physicalEndpoints'> {
  return {
    connectionId,
    domainId: DOMAIN,
    domainUnitId: DOMAIN_UNIT,
    name,
    description,
    environmentId: ENVIRONMENT,
    environmentUserRole: ENV_USER_ROLE,
    projectId: PROJECT,
    scope: 'PROJECT',
  };
}

export function seedConnections(): GetConnectionOutput[] {
  return [
    {
      // props.athenaProperties
      ...base('conn-athena-sales', 'athena-sales', 'Athena workgroup for the sales analytics project.'),
      type: 'ATHENA',
      physicalEndpoints: [awsEndpoint('conn-athena-sales', 'ATHENA')],
      connectionCredentials: credentials('conn-athena-sales'),
      configurations: [
        { classification: 'athena-workgroup', properties: { 'output.location': 's3://acme-athena-results/sales/' } },
      ],
      props: { athenaProperties: { workgroupName: 'sales-analytics' } },
    },
    {
      // props.glueProperties + two physical endpoints with full Glue OAuth2 connections
      ...base('conn-glue-snowflake', 'glue-snowflake-sales', 'Federated Snowflake SALES database via an AWS Glue connection.'),
      type: 'SNOWFLAKE',
      physicalEndpoints: [
        {
          ...awsEndpoint('conn-glue-snowflake', 'JDBC', 'acme-analytics.snowflakecomputing.com', 443),
          glueConnection: glueConnection('conn-glue-snowflake', 1, 'AUTHORIZATION_CODE'),
          enableTrustedIdentityPropagation: true,
        },
        {
          ...awsEndpoint('conn-glue-snowflake', 'HTTPS', 'acme-analytics.snowflakecomputing.com', 443),
          glueConnection: glueConnection('conn-glue-snowflake', 2, 'JWT_BEARER'),
          stage: 'staging',
        },
      ],
      connectionCredentials: credentials('conn-glue-snowflake'),
      configurations: [
        {
          classification: 'spark-defaults',
          properties: { 'spark.sql.shuffle.partitions': '200', 'spark.hadoop.fs.s3a.bucket.acme-sales.secret.key': canary('conn-glue-snowflake', 'spark-defaults-secret.key') },
        },
        { classification: 'glue-catalog', properties: { catalogId: ACCOUNT, database: 'sales_federated' } },
      ],
      props: { glueProperties: { status: 'READY', errorMessage: 'Last refresh skipped 2 tables without SELECT grant.' } },
    },
    {
      // props.hyperPodProperties
      ...base('conn-hyperpod-training', 'hyperpod-training', 'SageMaker HyperPod cluster for model training.'),
      type: 'HYPERPOD',
      physicalEndpoints: [awsEndpoint('conn-hyperpod-training', 'HTTPS')],
      props: {
        hyperPodProperties: {
          clusterName: 'ml-training-cluster',
          clusterArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:cluster/ml-training-cluster`,
          orchestrator: 'EKS',
        },
      },
    },
    {
      // props.iamProperties, DOMAIN scope
      ...base('conn-iam-project', 'project-iam', 'IAM connection of the project environment.'),
      scope: 'DOMAIN',
      type: 'IAM',
      physicalEndpoints: [awsEndpoint('conn-iam-project', 'HTTPS')],
      connectionCredentials: credentials('conn-iam-project'),
      props: { iamProperties: { environmentId: ENVIRONMENT, glueLineageSyncEnabled: true } },
    },
    {
      // props.redshiftProperties with storage.clusterName + credentials.usernamePassword
      ...base('conn-redshift-cluster', 'redshift-sales-cluster', 'Provisioned Redshift cluster holding the sales mart.'),
      type: 'REDSHIFT',
      physicalEndpoints: [
        awsEndpoint('conn-redshift-cluster', 'JDBC', 'sales-cluster.c1a2b3c4d5e6.us-east-1.redshift.amazonaws.com', 5439),
      ],
      props: {
        redshiftProperties: {
          storage: { clusterName: 'sales-cluster' },
          credentials: { usernamePassword: { username: 'analytics_reader', password: canary('conn-redshift-cluster', 'password') } },
          isProvisionedSecret: false,
          jdbcIamUrl: 'jdbc:redshift:iam://sales-cluster.c1a2b3c4d5e6.us-east-1.redshift.amazonaws.com:5439/sales',
          jdbcUrl: 'jdbc:redshift://sales-cluster.c1a2b3c4d5e6.us-east-1.redshift.amazonaws.com:5439/sales',
          redshiftTempDir: 's3://acme-redshift-temp/sales-cluster/',
          lineageSync: { lineageJobId: 'lineage-job-7f3a9c', enabled: true, schedule: { schedule: 'cron(0 3 * * ? *)' } },
          status: 'READY',
          databaseName: 'sales',
        },
      },
    },
    {
      // props.redshiftProperties with storage.workgroupName + credentials.secretArn
      ...base('conn-redshift-serverless', 'redshift-serverless-marketing', 'Redshift Serverless workgroup for marketing.'),
      type: 'REDSHIFT',
      physicalEndpoints: [
        awsEndpoint(
          'conn-redshift-serverless',
          'JDBC',
          'marketing.111122223333.us-east-1.redshift-serverless.amazonaws.com',
          5439,
        ),
      ],
      props: {
        redshiftProperties: {
          storage: { workgroupName: 'marketing' },
          credentials: { secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:redshift/marketing-Xy98Zw` },
          isProvisionedSecret: true,
          jdbcIamUrl: 'jdbc:redshift:iam://marketing.111122223333.us-east-1.redshift-serverless.amazonaws.com:5439/dev',
          jdbcUrl: 'jdbc:redshift://marketing.111122223333.us-east-1.redshift-serverless.amazonaws.com:5439/dev',
          redshiftTempDir: 's3://acme-redshift-temp/marketing/',
          lineageSync: { enabled: false },
          status: 'UPDATING',
          databaseName: 'dev',
        },
      },
    },
    {
      // props.sparkEmrProperties (all members, incl. both credential structures)
      ...base('conn-spark-emr', 'spark-emr-etl', 'EMR on EC2 cluster for Spark ETL jobs.'),
      type: 'SPARK',
      physicalEndpoints: [awsEndpoint('conn-spark-emr', 'LIVY', 'ip-10-0-1-23.ec2.internal', 8998)],
      props: {
        sparkEmrProperties: {
          computeArn: `arn:aws:elasticmapreduce:${REGION}:${ACCOUNT}:cluster/j-2AXXXXXXGAPLF`,
          credentials: { username: 'livy-etl', password: canary('conn-spark-emr', 'password') },
          credentialsExpiration: at('2025-07-01T18:30:00.250Z'),
          governanceType: 'USER_MANAGED',
          instanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/EMR_EC2_DefaultRole`,
          javaVirtualEnv: 's3://acme-emr-artifacts/envs/java17.tar.gz',
          livyEndpoint: 'http://ip-10-0-1-23.ec2.internal:8998',
          logUri: 's3://acme-emr-logs/etl/',
          pythonVirtualEnv: 's3://acme-emr-artifacts/envs/py311.tar.gz',
          runtimeRole: roleArn('EMRRuntimeRole-etl'),
          trustedCertificatesS3Uri: 's3://acme-emr-artifacts/certs/corp-ca.pem',
          certificateData: '-----BEGIN CERTIFICATE-----\nMIIBdemoCertificateDataForTheEmulator\n-----END CERTIFICATE-----',
          managedEndpointArn: `arn:aws:emr-containers:${REGION}:${ACCOUNT}:/virtualclusters/vc123abc/endpoints/ep456def`,
          managedEndpointCredentials: { id: 'ep456def', token: canary('conn-spark-emr', 'managedEndpointToken') },
        },
      },
    },
    {
      // props.sparkGlueProperties
      ...base('conn-spark-glue', 'spark-glue-interactive', 'Glue interactive sessions for notebooks.'),
      type: 'SPARK',
      physicalEndpoints: [awsEndpoint('conn-spark-glue', 'GLUE_INTERACTIVE_SESSION')],
      props: {
        sparkGlueProperties: {
          additionalArgs: { connection: 'conn-glue-snowflake-glue' },
          glueConnectionName: 'conn-glue-snowflake-glue',
          glueConnectionNames: ['conn-glue-snowflake-glue', 'conn-redshift-cluster-glue'],
          glueVersion: '5.0',
          idleTimeout: 60,
          javaVirtualEnv: 's3://acme-glue-artifacts/envs/java17.tar.gz',
          numberOfWorkers: 10,
          pythonVirtualEnv: 's3://acme-glue-artifacts/envs/py311.tar.gz',
          workerType: 'G.1X',
        },
      },
    },
    {
      // props.s3Properties
      ...base('conn-s3-datalake', 's3-datalake-raw', 'Raw zone of the S3 data lake.'),
      type: 'S3',
      physicalEndpoints: [awsEndpoint('conn-s3-datalake', 'HTTPS')],
      connectionCredentials: credentials('conn-s3-datalake'),
      props: {
        s3Properties: {
          s3Uri: 's3://acme-datalake-raw/sales/',
          s3AccessGrantLocationId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
          registerS3AccessGrantLocation: true,
          status: 'UPDATE_FAILED',
          errorMessage: 'S3 Access Grants instance not found in us-east-1.',
        },
      },
    },
    {
      // props.amazonQProperties
      ...base('conn-amazon-q', 'amazon-q-developer', 'Amazon Q Developer profile for the project.'),
      type: 'AMAZON_Q',
      physicalEndpoints: [awsEndpoint('conn-amazon-q', 'HTTPS')],
      props: {
        amazonQProperties: {
          isEnabled: true,
          profileArn: `arn:aws:codewhisperer:${REGION}:${ACCOUNT}:profile/QDEVPROFILE1`,
          authMode: 'IAM_IDC',
        },
      },
    },
    {
      // props.mlflowProperties
      ...base('conn-mlflow-tracking', 'mlflow-tracking', 'Managed MLflow tracking server.'),
      type: 'MLFLOW',
      physicalEndpoints: [awsEndpoint('conn-mlflow-tracking', 'HTTPS')],
      props: {
        mlflowProperties: { trackingServerArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:mlflow-tracking-server/sales-tracking` },
      },
    },
    {
      // props.workflowsMwaaProperties
      ...base('conn-mwaa-pipelines', 'mwaa-pipelines', 'Managed Airflow environment running the sales pipelines.'),
      type: 'WORKFLOWS_MWAA',
      physicalEndpoints: [awsEndpoint('conn-mwaa-pipelines', 'HTTPS')],
      props: { workflowsMwaaProperties: { mwaaEnvironmentName: 'sales-pipelines' } },
    },
    {
      // props.workflowsServerlessProperties (empty structure)
      ...base('conn-workflows-serverless', 'workflows-serverless', 'Serverless workflows of the project.'),
      type: 'WORKFLOWS_MWAA',
      physicalEndpoints: [awsEndpoint('conn-workflows-serverless', 'HTTPS')],
      props: { workflowsServerlessProperties: {} },
    },
    {
      // props.lakehouseProperties
      ...base('conn-lakehouse', 'lakehouse-catalog', 'Lakehouse catalog of the domain.'),
      scope: 'DOMAIN',
      type: 'S3',
      physicalEndpoints: [awsEndpoint('conn-lakehouse', 'PRISM')],
      props: { lakehouseProperties: { glueLineageSyncEnabled: false } },
    },
    {
      // Fallback demo: a props member, a connection type and a scope this SDK does not know.
      ...base('conn-quantum-future', 'quantum-future', 'Carries connection properties newer than this SDK.'),
      scope: futureEnumValue<NonNullable<GetConnectionOutput['scope']>>('GALAXY'),
      type: futureEnumValue<NonNullable<GetConnectionOutput['type']>>('QUANTUM'),
      physicalEndpoints: [
        {
          ...awsEndpoint('conn-quantum-future', 'HTTPS', 'qpu.acme.example.com', 443),
          protocol: futureEnumValue<NonNullable<PhysicalEndpoint['protocol']>>('QUANTUM_LINK'),
        },
      ],
      props: { $unknown: ['quantumProperties', { qubits: 5, backend: 'ionq-aria' }] },
    },
  ];
}

/** Ids of the demo data, for printing and docs. */
export function seededIds(): { awsAccountId: string; actionConnectorIds: string[]; domainId: string; connectionIds: string[] } {
  return {
    awsAccountId: DEMO_AWS_ACCOUNT_ID,
    actionConnectorIds: seedActionConnectors().map((c) => c.connector.ActionConnectorId as string),
    domainId: DEMO_DOMAIN_ID,
    connectionIds: seedConnections().map((c) => c.connectionId as string),
  };
}

// ---------------------------------------------------------------------------------------------
// Bulk data for listing and searching: a few hundred generated items beside the demo items above
// (which stay exactly as they are). Deterministic: the same call always returns the same data.
// ---------------------------------------------------------------------------------------------

/** How many generated connectors / connections the emulator holds beside the demo items. */
export const BULK_ACTION_CONNECTOR_COUNT = 240;
export const BULK_CONNECTION_COUNT = 260;

/** Teams the generated items are named after, so name filters have something to find. */
export const BULK_TEAMS = ['Finance', 'Marketing', 'Sales', 'Support', 'Engineering', 'Operations', 'Legal'] as const;

function pad3(index: number): string {
  return String(index).padStart(3, '0');
}

const BULK_CONNECTOR_TYPES: ReadonlyArray<NonNullable<ActionConnector['Type']>> = [
  'SLACK', 'JIRA_CLOUD', 'GENERIC_HTTP', 'AMAZON_S3', 'SALESFORCE_CRM', 'MICROSOFT_TEAMS', 'SERVICENOW_NOW_PLATFORM',
  'ZENDESK_SUITE', 'ASANA', 'AMAZON_BEDROCK_RUNTIME', 'MICROSOFT_OUTLOOK', 'SMARTSHEET', 'ATLASSIAN_CONFLUENCE',
];
const BULK_STATUSES: ReadonlyArray<NonNullable<ActionConnector['Status']>> = [
  'CREATION_SUCCESSFUL', 'UPDATE_SUCCESSFUL', 'CREATION_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'UPDATE_FAILED',
];

function bulkAuthenticationConfig(connectorId: string, index: number): NonNullable<ActionConnector['AuthenticationConfig']> {
  const baseEndpoint = `https://api.example.com/${connectorId}`;
  switch (index % 6) {
    case 0:
      return { AuthenticationType: 'NONE', AuthenticationMetadata: { NoneConnectionMetadata: { BaseEndpoint: baseEndpoint } } };
    case 1:
      return {
        AuthenticationType: 'IAM',
        AuthenticationMetadata: { IamConnectionMetadata: { RoleArn: roleArn(`QuickSightAction-${connectorId}`), SourceArn: `arn:aws:s3:::bulk-${connectorId}` } },
      };
    case 2:
      return { AuthenticationType: 'API_KEY', AuthenticationMetadata: { ApiKeyConnectionMetadata: { BaseEndpoint: baseEndpoint, Email: `${connectorId}@acme.example.com` } } };
    case 3:
      return { AuthenticationType: 'BASIC', AuthenticationMetadata: { BasicAuthConnectionMetadata: { BaseEndpoint: baseEndpoint, Username: `svc-${connectorId}` } } };
    case 4:
      return {
        AuthenticationType: 'OAUTH2_CLIENT_CREDENTIALS',
        AuthenticationMetadata: {
          ClientCredentialsGrantMetadata: {
            BaseEndpoint: baseEndpoint,
            ReadClientCredentialsDetails: {
              ReadClientCredentialsGrantDetails: { ClientId: `client-${connectorId}`, TokenEndpoint: `https://auth.example.com/${connectorId}/token` },
            },
            ClientCredentialsSource: 'PLAIN_CREDENTIALS',
          },
        },
      };
    default:
      return {
        AuthenticationType: 'OAUTH2_AUTHORIZATION_CODE',
        AuthenticationMetadata: {
          AuthorizationCodeGrantMetadata: {
            BaseEndpoint: baseEndpoint,
            RedirectUrl: `https://${REGION}.quicksight.aws.amazon.com/sn/oauthcallback`,
            ReadAuthorizationCodeGrantCredentialsDetails: {
              ReadAuthorizationCodeGrantDetails: {
                ClientId: `client-${connectorId}`,
                TokenEndpoint: `https://auth.example.com/${connectorId}/token`,
                AuthorizationEndpoint: `https://auth.example.com/${connectorId}/authorize`,
              },
            },
            AuthorizationCodeGrantCredentialsSource: 'PLAIN_CREDENTIALS',
          },
        },
      };
  }
}

/**
 * `bulk-000` … `bulk-239` in the demo account: types, statuses and authentication kinds cycle, and
 * names read `<Team> <type> <nnn>` (e.g. `Finance SLACK 000`), so both search filters find a subset.
 */
export function seedBulkActionConnectors(): Array<{ awsAccountId: string; connector: ActionConnector }> {
  return Array.from({ length: BULK_ACTION_CONNECTOR_COUNT }, (_, index) => {
    const id = `bulk-${pad3(index)}`;
    const type = BULK_CONNECTOR_TYPES[index % BULK_CONNECTOR_TYPES.length]!;
    const status = BULK_STATUSES[index % BULK_STATUSES.length]!;
    const created = new Date(Date.UTC(2025, 0, 1) + index * 3_600_000 + index);
    const connector: ActionConnector = {
      Arn: qsArn(id),
      ActionConnectorId: id,
      Type: type,
      Name: `${BULK_TEAMS[index % BULK_TEAMS.length]} ${type} ${pad3(index)}`,
      CreatedTime: created,
      LastUpdatedTime: new Date(created.getTime() + 86_400_000),
      Status: status,
      ...(status === 'UPDATE_FAILED' ? { Error: { Message: `Update of ${id} failed.`, Type: 'INTERNAL_FAILURE' as const } } : {}),
      Description: `Generated connector ${pad3(index)} for listing and paging.`,
      AuthenticationConfig: bulkAuthenticationConfig(id, index),
      EnabledActions: [`Action${index % 5}`, `Action${(index % 5) + 1}`],
      ...(index % 10 === 0 ? { VpcConnectionArn: `arn:aws:quicksight:${REGION}:${ACCOUNT}:vpcConnection/bulk-vpc-${index % 3}` } : {}),
    };
    return { awsAccountId: ACCOUNT, connector };
  });
}

/** Projects (with their environment) the generated connections belong to. */
export const BULK_PROJECTS = [
  { projectId: PROJECT, environmentId: ENVIRONMENT },
  { projectId: 'prj_marketing', environmentId: 'env_marketing_tooling' },
  { projectId: 'prj_finance_ops', environmentId: 'env_finance_tooling' },
] as const;

const BULK_CONNECTION_TYPES = ['ATHENA', 'REDSHIFT', 'S3', 'SPARK', 'IAM', 'SNOWFLAKE', 'POSTGRESQL', 'MYSQL'] as const;

function bulkProps(connectionId: string, type: (typeof BULK_CONNECTION_TYPES)[number], index: number): GetConnectionOutput['props'] {
  switch (type) {
    case 'ATHENA':
      return { athenaProperties: { workgroupName: `wg-${pad3(index)}` } };
    case 'REDSHIFT':
      return {
        redshiftProperties: {
          storage: { workgroupName: `wg-${pad3(index)}` },
          credentials: { usernamePassword: { username: `reader_${pad3(index)}`, password: canary(connectionId, 'password') } },
          databaseName: 'dev',
          status: 'READY',
        },
      };
    case 'S3':
      return { s3Properties: { s3Uri: `s3://acme-bulk-${pad3(index)}/`, status: 'READY' } };
    case 'SPARK':
      return { sparkGlueProperties: { glueVersion: '5.0', numberOfWorkers: 2 + (index % 8), workerType: 'G.1X' } };
    case 'IAM':
      return { iamProperties: { environmentId: ENVIRONMENT, glueLineageSyncEnabled: index % 2 === 0 } };
    default:
      return { glueProperties: { status: 'READY' } };
  }
}

/**
 * `conn-bulk-000` … `conn-bulk-259` in the demo domain: spread over three projects, every seventh
 * domain-scoped, types cycling; named `<team>-<type>-<nnn>` in lower case. Athena, S3 and IAM
 * connections carry temporary credentials and Redshift ones a password, canary-marked like the demo's.
 */
export function seedBulkConnections(): GetConnectionOutput[] {
  return Array.from({ length: BULK_CONNECTION_COUNT }, (_, index) => {
    const connectionId = `conn-bulk-${pad3(index)}`;
    const type = BULK_CONNECTION_TYPES[index % BULK_CONNECTION_TYPES.length]!;
    const project = BULK_PROJECTS[index % BULK_PROJECTS.length]!;
    const team = BULK_TEAMS[index % BULK_TEAMS.length]!.toLowerCase();
    const withCredentials = type === 'ATHENA' || type === 'S3' || type === 'IAM';
    return {
      connectionId,
      domainId: DOMAIN,
      domainUnitId: DOMAIN_UNIT,
      name: `${team}-${type.toLowerCase()}-${pad3(index)}`,
      description: `Generated ${type} connection ${pad3(index)} for listing and paging.`,
      environmentId: project.environmentId,
      environmentUserRole: roleArn(`datazone_usr_role_${project.projectId}`),
      projectId: project.projectId,
      scope: index % 7 === 0 ? 'DOMAIN' : 'PROJECT',
      type,
      physicalEndpoints: [awsEndpoint(connectionId, type === 'REDSHIFT' || type === 'POSTGRESQL' || type === 'MYSQL' ? 'JDBC' : 'HTTPS')],
      ...(withCredentials ? { connectionCredentials: credentials(connectionId) } : {}),
      ...(index % 4 === 0 ? { configurations: [{ classification: 'spark-defaults', properties: { 'spark.executor.cores': String(1 + (index % 4)) } }] } : {}),
      props: bulkProps(connectionId, type, index),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// DataZone projects: the projects the demo and generated connections belong to (GetProject).
// ---------------------------------------------------------------------------------------------

/** One project per project id the seeded connections name; the last has a status the SDK does not know. */
export function seedProjects(): GetProjectOutput[] {
  const statuses = ['ACTIVE', 'UPDATING', futureEnumValue<NonNullable<GetProjectOutput['projectStatus']>>('ARCHIVED')] as const;
  return BULK_PROJECTS.map(({ projectId }, index) => ({
    domainId: DOMAIN,
    id: projectId,
    name: projectId.replace(/^prj_/, '').replace(/_/g, ' '),
    description: `Demo project ${projectId}, owner of seeded connections.`,
    projectStatus: statuses[index % statuses.length],
    createdBy: `usr_${pad3(index)}`,
    createdAt: at(`2025-0${1 + index}-10T08:00:00.${pad3(index * 111)}Z`),
    lastUpdatedAt: at(`2025-0${4 + index}-20T16:45:00.000Z`),
    domainUnitId: DOMAIN_UNIT,
    projectProfileId: 'pp_default',
  }));
}
