use testkit::grpc::{services_v1, services_v1alpha};

use crate::helpers::{channel, spawn_app};

#[tokio::test]
async fn both_reflection_versions_list_the_auth_and_health_services() {
    let app = spawn_app().await;

    let v1 = services_v1(app.addr).await.expect("v1 reflection answers");
    let v1alpha = services_v1alpha(app.addr)
        .await
        .expect("v1alpha reflection answers");

    for services in [v1, v1alpha] {
        assert!(
            services.contains(&"auth.v1.AuthService".to_owned()),
            "{services:?}"
        );
        assert!(
            services.contains(&"grpc.health.v1.Health".to_owned()),
            "{services:?}"
        );
        assert!(
            !services.iter().any(|s| s.starts_with("todo.")),
            "{services:?}"
        );
    }
}

#[tokio::test]
async fn health_answers_serving_for_the_server_and_the_service() {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::health_client::HealthClient;

    let app = spawn_app().await;
    let mut client = HealthClient::new(channel(app.addr).await.unwrap());

    for service in ["", "auth.v1.AuthService"] {
        let request = HealthCheckRequest {
            service: service.into(),
        };
        let reply = client.check(request).await.unwrap().into_inner();
        assert_eq!(reply.status(), ServingStatus::Serving, "{service:?}");
    }
}
