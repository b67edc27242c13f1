//! The Mattermost client against the fake server.

mod support;

use support::fake_mattermost::FakeMattermost;

#[tokio::test]
async fn get_me_returns_the_bot() {
    let mm = FakeMattermost::start().await;
    let me = mm.client().get_me().await.unwrap();
    assert_eq!(me.username, "solar-lottery");
    assert!(me.is_bot);
}
